// A queued import's page (imports/job.html): while a worker reads, checks or writes the file,
// follows its state (progress.json, through follow_progress.js, as the plan page follows a
// solve) and rewrites the status and the counts; once the worker is done with it, the page
// reloads and shows the preview, the invalid rows, the batch written or why it failed.
// Everything comes from the import's row, so a reload loses nothing. A static file, so the
// Content-Security-Policy needs no inline script.
(function () {
  "use strict";
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

  var state = JSON.parse(document.getElementById("import-progress-state").textContent);
  show(state);
  if (state.running) {
    window.rolloutFollow(section.dataset.progressUrl, show);
  }
}());
