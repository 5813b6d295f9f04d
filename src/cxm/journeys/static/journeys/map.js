/* Journey map: "Download PNG" (html-to-image, bundled) and "Print / PDF" (the browser's
   print dialog with the print stylesheet in journeys.css). No inline handlers. */
(function () {
  "use strict";

  function download(dataUrl, filename) {
    var link = document.createElement("a");
    link.href = dataUrl;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function exportPng(button) {
    var board = document.getElementById(button.dataset.target || "journey-board");
    if (!board || !window.htmlToImage) {
      window.alert(button.dataset.error);
      return;
    }
    var scroller = board.querySelector(".journey-scroll");
    var stages = board.querySelector(".journey-stages");
    button.disabled = true;
    board.classList.add("exporting");
    // The whole board, not only the part scrolled into view.
    var width = Math.max(board.scrollWidth, stages ? stages.scrollWidth : 0);
    var height = board.scrollHeight;
    window.htmlToImage
      .toPng(board, {
        backgroundColor: "#ffffff",
        pixelRatio: 2,
        width: width,
        height: height,
        style: { width: width + "px", height: height + "px", margin: "0" },
        filter: function (node) {
          return !(node.classList && node.classList.contains("no-export"));
        },
      })
      .then(function (dataUrl) {
        download(dataUrl, button.dataset.filename || "journey.png");
      })
      .catch(function (error) {
        console.error(error);
        window.alert(button.dataset.error);
      })
      .finally(function () {
        board.classList.remove("exporting");
        if (scroller) scroller.scrollLeft = 0;
        button.disabled = false;
      });
  }

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var png = target.closest("[data-export-png]");
    if (png) {
      event.preventDefault();
      exportPng(png);
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
})();
