// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID"> (written by the
// report tables, relata/analytics/reports/table.py) with Chart.js. The table under each
// chart holds the same figures, so the page reads without JavaScript too.
(function () {
  "use strict";
  const palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#ffc107"];

  function config(spec) {
    const stacked = spec.kind === "stacked";
    const type = spec.kind === "line" ? "line" : spec.kind === "pie" ? "pie" : "bar";
    const datasets = spec.datasets.map(function (set, index) {
      const color = palette[index % palette.length];
      return Object.assign({}, set, {
        backgroundColor: type === "pie" ? palette : color,
        borderColor: color,
        tension: 0.2,
      });
    });
    const options = { responsive: true, maintainAspectRatio: false, animation: false };
    if (type !== "pie") {
      options.scales = { x: { stacked: stacked }, y: { stacked: stacked, beginAtZero: true } };
    }
    if (spec.kind === "funnel") {
      options.indexAxis = "y";
    }
    return { type: type, data: { labels: spec.labels, datasets: datasets }, options: options };
  }

  function draw(root) {
    if (typeof window.Chart === "undefined") {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      const source = document.getElementById(canvas.dataset.chart);
      if (!source || canvas.dataset.drawn) {
        return;
      }
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, config(JSON.parse(source.textContent)));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
