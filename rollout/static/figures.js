// Draws every figure of a dashboard page: each <div data-figure="ID"> gets the Plotly figure
// whose JSON is in <script type="application/json" id="ID">. A static file, so the
// Content-Security-Policy needs no inline script.
(function () {
  "use strict";
  var french = {
    moduleType: "locale",
    name: "fr",
    dictionary: {},
    format: {
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      shortDays: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
      months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre"],
      shortMonths: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                    "nov.", "déc."],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "\u202f"
    }
  };
  Plotly.register(french);
  var locale = document.documentElement.lang === "fr" ? "fr" : "en";
  // The print view's button: window.print() needs a script, and the CSP allows no inline one.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = JSON.parse(document.getElementById(element.dataset.figure).textContent);
    Plotly.newPlot(element, figure.data, figure.layout, {
      responsive: true, displaylogo: false, displayModeBar: false, locale: locale
    });
  });
}());
