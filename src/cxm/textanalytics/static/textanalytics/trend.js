/* Draws the explorer's weekly count per topic (ECharts) from the JSON the page embeds.
   RTL-aware like the dashboard's charts; without JS the table shows every number. */
(function () {
  "use strict";
  if (!window.echarts) return;
  var el = document.getElementById("topic-trend-data");
  var node = document.getElementById("chart-topic-trend");
  if (!el || !node) return;
  var data = JSON.parse(el.textContent);
  if (!data.categories.length || !data.series.length) return;
  var rtl = !!data.rtl;
  node.hidden = false;
  var chart = echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    textStyle: { fontFamily: "Vazirmatn, system-ui, sans-serif" }, animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 30, containLabel: true },
    xAxis: { type: "category", data: data.categories, inverse: rtl },
    yAxis: { type: "value", position: rtl ? "right" : "left", minInterval: 1 },
    series: data.series.map(function (s) { return { name: s.name, type: "line", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
