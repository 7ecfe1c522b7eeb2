// How a page follows long work that `rollout worker` does for it (a plan's solve, a large
// import): reads the work's state from `url` every two seconds while it says `running`, hands
// each state to `show`, and once the work has ended reloads the page, which then shows the
// outcome from the database. A read that fails is tried again a little later. Shared by
// plan_progress.js and import_progress.js; a static file, so the Content-Security-Policy needs
// no inline script.
window.rolloutFollow = function (url, show) {
  "use strict";
  var POLL_MS = 2000;
  var RETRY_MS = 5000;

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        if (!state.running) {
          window.location.reload();
          return;
        }
        show(state);
        window.setTimeout(poll, POLL_MS);
      })
      .catch(function () { window.setTimeout(poll, RETRY_MS); });
  }

  window.setTimeout(poll, POLL_MS);
};
