// A queued import's page (imports/job.html): while a worker reads, checks or writes the file,
// reads its state (progress.json) every two seconds and rewrites the status and the counts;
// once the worker is done with it, reloads the page, which then shows the preview, the invalid
// rows, the batch written or why it failed. Everything comes from the import's row, so a
// reload loses nothing. A static file, so the Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var RETRY_MS = 5000;
  var section = document.getElementById("import-job");
  if (!section) {
    return;
  }
  var language = document.documentElement.lang || "fr";

  function field(name, text) {
    var element = section.querySelector('[data-field="' + name + '"]');
    if (element) {
      element.textContent = text;
    }
  }

  function show(state) {
    field("status_label", state.status_label);
    field("rows", state.rows.toLocaleString(language));
    field("to_write", state.to_write.toLocaleString(language));
  }

  function poll() {
    fetch(section.dataset.progressUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
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

  var state = JSON.parse(document.getElementById("import-progress-state").textContent);
  show(state);
  if (state.running) {
    window.setTimeout(poll, POLL_MS);
  }
}());
