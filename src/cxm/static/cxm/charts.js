/* What every page's charts share: ECharts with the Vazirmatn font, no animation, SVG, and a
   resize with the window. Pages load it before their own chart script (both deferred). */
(function () {
  "use strict";
  window.cxmCharts = {
    /* The JSON a page embeds with json_script, or null. */
    data: function (id) {
      var el = document.getElementById(id);
      return el ? JSON.parse(el.textContent) : null;
    },
    /* Draws `option` into the element (or element id), shown only now: without JS it stays
       hidden and the table beside it holds the numbers. */
    draw: function (target, option) {
      if (!window.echarts) return null;
      var node = typeof target === "string" ? document.getElementById(target) : target;
      if (!node) return null;
      node.hidden = false;
      var chart = echarts.init(node, null, { renderer: "svg" });
      chart.setOption(Object.assign(
        { textStyle: { fontFamily: "Vazirmatn, system-ui, sans-serif" }, animation: false },
        option
      ));
      window.addEventListener("resize", function () { chart.resize(); });
      return chart;
    }
  };
})();
