// Insights' charts: hovering over or tapping a bar writes its value under the chart (the bar's
// <title>, which a mouse also shows as a tooltip but a finger never does), in a polite live
// region. Without this script the values are in each chart's table, one click away.
(function () {
  "use strict";

  function show(event) {
    var shape = event.target;
    if (!shape || !shape.closest) return;
    var chart = shape.closest("[data-chart]");
    var title = shape.querySelector && shape.querySelector("title");
    if (!chart || !title) return;
    var readout = chart.querySelector(".chart-readout");
    if (!readout || readout.textContent === title.textContent) return;
    readout.textContent = title.textContent;
    var marked = chart.querySelector(".picked");
    if (marked) marked.classList.remove("picked");
    shape.classList.add("picked");
  }

  document.addEventListener("click", show);
  document.addEventListener("mouseover", show);
})();
