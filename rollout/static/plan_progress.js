// The plan page's live progress: while the plan is queued or solving, follows the run's state
// (progress.json, through follow_progress.js), rewrites the figures and redraws the curve of the
// best objective and the proven bound; once the solve has ended, the page reloads and shows the
// plan. Everything comes from the plan's row, so a reload loses nothing. A static file, so the
// Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var section = document.getElementById("plan-run");
  if (!section) {
    return;
  }
  var labels = section.dataset;
  var curve = document.getElementById("plan-curve");
  var language = document.documentElement.lang || "fr";

  function number(value, digits) {
    if (value === null || value === undefined) {
      return "—";
    }
    return value.toLocaleString(language, {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }

  function field(name, text) {
    var element = section.querySelector('[data-field="' + name + '"]');
    if (element) {
      element.textContent = text;
    }
  }

  function draw(points) {
    if (!points.length) {
      return;
    }
    curve.hidden = false;
    var seconds = points.map(function (point) { return point[0]; });
    var traces = [
      {x: seconds, y: points.map(function (point) { return point[1]; }), name: labels.labelObjective,
       mode: "lines+markers", line: {shape: "hv"}},
      {x: seconds, y: points.map(function (point) { return point[2]; }), name: labels.labelBound,
       mode: "lines", line: {shape: "hv", dash: "dot"}}
    ];
    var layout = {xaxis: {title: {text: labels.labelSeconds}, rangemode: "tozero"}, legend: {orientation: "h"},
                  margin: {t: 20, r: 20}, height: 320};
    Plotly.react(curve, traces, layout, {displaylogo: false, displayModeBar: false, responsive: true});
  }

  function show(state) {
    field("status", state.status_label);
    field("objective", number(state.objective, 1));
    field("bound", number(state.bound, 1));
    field("gap", state.gap === null ? "—" : number(state.gap * 100, 2) + " %");
    var elapsed = number(state.elapsed_seconds, 1);
    field("elapsed_seconds", state.time_limit ? elapsed + " / " + state.time_limit : elapsed);
    // The sentence on objective, bound and gap (rollout.planning.results), provisional meanwhile.
    var summary = document.getElementById("plan-summary");
    if (summary) {
      summary.textContent = state.summary || "";
      summary.hidden = !state.summary;
    }
    draw(state.progress);
  }

  var state = JSON.parse(document.getElementById("plan-progress-state").textContent);
  draw(state.progress);
  if (state.running) {
    window.rolloutFollow(labels.progressUrl, show);
  }
}());
