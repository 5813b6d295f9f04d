/* Charts of the case reports, drawn from the JSON the page embeds (json_script): contact
   volume per channel and week (stacked bars) and the backlog by age. RTL-aware like the
   dashboard's charts; without JavaScript the tables beside them show every number. */
(function () {
  "use strict";
  if (!window.echarts || !window.cxmCharts) return;
  var data = cxmCharts.data("report-chart-data");
  if (!data) return;
  var rtl = !!data.rtl;
  var draw = cxmCharts.draw;
  function axes(categories) {
    return {
      xAxis: { type: "category", data: categories, inverse: rtl, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", position: rtl ? "right" : "left", minInterval: 1 },
      grid: { left: 40, right: 40, top: 40, bottom: 30, containLabel: true },
      tooltip: { trigger: "axis" }
    };
  }
  var v = data.volume;
  var names = v ? Object.keys(v.series) : [];
  if (v && v.categories.length && names.length) {
    draw("chart-volume", Object.assign(axes(v.categories), {
      legend: { top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
      series: names.map(function (n) { return { name: n, type: "bar", stack: "all", data: v.series[n] }; })
    }));
  }
  var b = data.backlog;
  if (b && b.values.some(function (x) { return x > 0; })) {
    draw("chart-backlog", Object.assign(axes(b.categories), { series: [{ type: "bar", data: b.values }] }));
  }
})();
