// A process's BPMN diagram, drawn by the vendored bpmn-js viewer (drag to move, wheel or
// pinch to zoom) from the page's own .bpmn download.
(function () {
  "use strict";
  // the whole diagram when it fits readably; else its start at a readable size (a narrow
  // screen), the rest a drag away; the box as tall as the diagram needs
  function show(canvas, box) {
    var inner = canvas.viewbox().inner;
    var scale = Math.max(Math.min(1, (box.clientWidth - 40) / inner.width), 0.6);
    box.style.height = Math.min(520, Math.max(220, Math.ceil(inner.height * scale + 80))) + "px";
    canvas.resized();
    canvas.viewbox({
      x: inner.x - 20 / scale, y: inner.y - 40 / scale,
      width: box.clientWidth / scale, height: box.clientHeight / scale
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("bpmn-canvas");
    var status = document.getElementById("bpmn-status");
    if (!box || !status) return;
    function failed(reason) {
      status.textContent = status.dataset.failed + " (" + reason + ")";
      status.classList.add("error");
    }
    if (typeof BpmnJS === "undefined") { failed("bpmn-js"); return; }
    var viewer = new BpmnJS({ container: box });
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) throw new Error(String(answer.status));
        return answer.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        show(viewer.get("canvas"), box);
        box.dataset.shown = "true";
        status.hidden = true;
      })
      .catch(function (error) { failed(error.message); });
  });
})();
