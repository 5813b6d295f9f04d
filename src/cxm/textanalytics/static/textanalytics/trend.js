/* Draws the explorer's weekly count per topic (ECharts) from the JSON the page embeds.
   RTL-aware like the dashboard's charts; without JS the table shows every number. */
(function () {
  "use strict";
  if (!window.echarts || !window.cxmCharts) return;
  var data = cxmCharts.data("topic-trend-data");
  if (!data || !data.categories.length || !data.series.length) return;
  var rtl = !!data.rtl;
  cxmCharts.draw("chart-topic-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 30, containLabel: true },
    xAxis: { type: "category", data: data.categories, inverse: rtl },
    yAxis: { type: "value", position: rtl ? "right" : "left", minInterval: 1 },
    series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
  });
})();
