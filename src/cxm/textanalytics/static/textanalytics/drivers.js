/* Key drivers: each topic's regression coefficient as a bar with its 95 % interval as a
   whisker, and its impact (coefficient × share). Drawn from the page's json_script; the
   table beside it holds every number, so without JS nothing is lost. RTL-aware like
   analytics/charts.js. */
(function () {
  "use strict";
  if (!window.echarts || !window.cxmCharts) return;
  var data = cxmCharts.data("driver-data");
  var node = document.getElementById("chart-drivers");
  if (!data || !node) return;
  var rows = data.drivers || [];
  if (!rows.length) return;
  var rtl = !!data.rtl;
  node.style.height = Math.max(200, 40 + rows.length * 32) + "px";
  var names = rows.map(function (r) { return r.name; });
  cxmCharts.draw(node, {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, right: rtl ? 0 : "auto", left: rtl ? "auto" : 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 30, containLabel: true },
    xAxis: { type: "value", inverse: rtl },
    yAxis: { type: "category", data: names, inverse: true, position: rtl ? "right" : "left" },
    series: [
      {
        name: data.labels.coefficient, type: "bar",
        data: rows.map(function (r) {
          return { value: r.coefficient, itemStyle: { color: r.coefficient < 0 ? "#c0392b" : "#27ae60", opacity: r.low_n ? 0.45 : 1 } };
        })
      },
      {
        name: data.labels.interval, type: "custom",
        data: rows.map(function (r, i) { return [i, r.low, r.high]; }),
        renderItem: function (params, api) {
          var lo = api.coord([api.value(1), api.value(0)]);
          var hi = api.coord([api.value(2), api.value(0)]);
          var h = api.size([0, 1])[1] * 0.25;
          var style = { stroke: "#333", lineWidth: 1.5 };
          return { type: "group", children: [
            { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
            { type: "line", shape: { x1: lo[0], y1: lo[1] - h, x2: lo[0], y2: lo[1] + h }, style: style },
            { type: "line", shape: { x1: hi[0], y1: hi[1] - h, x2: hi[0], y2: hi[1] + h }, style: style }
          ] };
        },
        z: 10
      },
      { name: data.labels.impact, type: "bar", data: rows.map(function (r) { return r.impact; }) }
    ]
  });
})();
