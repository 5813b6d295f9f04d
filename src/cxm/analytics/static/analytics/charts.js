/* Draws the dashboard's charts from the JSON that the page embeds (json_script).
   RTL-aware: Vazirmatn, legends and value axes on the right, category axes reversed for
   fa/ar so bars read right to left. Without JS the tables show every number. */
(function () {
  "use strict";
  if (!window.echarts || !window.cxmCharts) return;
  var data = cxmCharts.data("chart-data");
  if (!data) return;
  var rtl = !!data.rtl;
  var draw = cxmCharts.draw;

  function categoryAxis(categories) {
    return { type: "category", data: categories, inverse: rtl, axisLabel: { interval: 0, hideOverlap: true } };
  }
  function valueAxis() { return { type: "value", position: rtl ? "right" : "left" }; }
  function legend() { return { top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 }; }
  function grid() { return { left: 40, right: 40, top: 30, bottom: 30, containLabel: true }; }

  function bars(id, categories, series) {
    var names = Object.keys(series).filter(function (k) {
      return series[k].some(function (v) { return v !== null; });
    });
    if (!categories.length || !names.length) return;
    draw(id, {
      tooltip: { trigger: "axis" }, legend: legend(), grid: grid(),
      xAxis: categoryAxis(categories), yAxis: valueAxis(),
      series: names.map(function (name) { return { name: name.toUpperCase(), type: "bar", data: series[name] }; })
    });
  }

  if (data.distribution) {
    Object.keys(data.distribution).forEach(function (metric) {
      var d = data.distribution[metric];
      var s = {}; s[metric] = d.values;
      bars("chart-dist-" + metric, d.categories, s);
    });
  }
  if (data.trend && data.trend.categories.length) {
    var names = Object.keys(data.trend.series);
    draw("chart-trend", {
      tooltip: { trigger: "axis" }, legend: legend(), grid: grid(),
      xAxis: categoryAxis(data.trend.categories), yAxis: valueAxis(),
      series: names.map(function (n) { return { name: n.toUpperCase(), type: "line", connectNulls: true, data: data.trend.series[n] }; })
    });
  }
  if (data.breakdowns) {
    Object.keys(data.breakdowns).forEach(function (name) {
      var b = data.breakdowns[name];
      bars("chart-by-" + name, b.categories, b.series);
    });
  }
  if (data.loop) {
    bars("chart-loop", data.loop.categories, { n: data.loop.values });
  }
  if (data.questions) {
    data.questions.forEach(function (q) {
      bars("chart-q-" + q.id, q.categories, { n: q.values });
    });
  }
})();
