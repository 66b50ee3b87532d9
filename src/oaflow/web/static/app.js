// OA-Flow pages: the little that needs a script. Every page works without it except
// dragging cards and uploading files.
(function () {
  "use strict";

  function csrf() {
    var headers = document.body.getAttribute("hx-headers");
    try { return headers ? JSON.parse(headers)["X-CSRF-Token"] : ""; } catch (e) { return ""; }
  }

  // filters that apply as soon as a choice changes
  function autosubmit(root) {
    root.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  // a definition file read into the text area it names
  function loadInto(root) {
    root.querySelectorAll("input[type=file][data-load-into]").forEach(function (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        if (!file) return;
        file.text().then(function (text) {
          document.getElementById(input.dataset.loadInto).value = text;
        });
      });
    });
  }

  // deliverable uploads through the API (streamed, typed by content there)
  function uploads(root) {
    root.querySelectorAll("form[data-upload]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var result = form.querySelector(".upload-result");
        var body = new FormData();
        var input = form.querySelector("input[type=file]");
        if (!input.files.length) return;
        body.append("file", input.files[0]);
        fetch(form.dataset.upload, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRF-Token": csrf(), "Accept-Language": document.documentElement.lang }
        }).then(function (answer) {
          return answer.json().then(function (data) {
            if (answer.ok) { window.location.reload(); return; }
            result.textContent = data.title + (data.detail ? " — " + data.detail : "");
            result.classList.add("error");
          });
        }).catch(function () { result.textContent = "✖"; });
      });
    });
  }

  // the kanban board: a drop performs the move's action, or the card goes back
  function board(root) {
    var grid = root.querySelector(".board");
    if (!grid || typeof Sortable === "undefined") return;
    var status = document.getElementById("board-status");
    function say(text, bad) {
      status.hidden = false;
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }
    grid.querySelectorAll("ul.cards").forEach(function (list) {
      Sortable.create(list, {
        group: "board", animation: 120, sort: false,
        // the same drag by mouse, pen and finger; a finger holds a moment first, so that a
        // swipe over the cards still scrolls the page
        forceFallback: true, fallbackTolerance: 4, delay: 200, delayOnTouchOnly: true,
        onEnd: function (event) {
          var card = event.item, from = event.from.dataset.state, to = event.to.dataset.state;
          if (from === to) return;
          var body = new URLSearchParams({ from: from, to: to });
          fetch("/board/tasks/" + card.dataset.task + "/move", {
            method: "POST", body: body, credentials: "same-origin",
            headers: { "X-CSRF-Token": csrf() }
          }).then(function (answer) {
            return answer.text().then(function (text) {
              if (answer.ok) {
                card.dataset.state = to;
                say(text, false);
                recount(grid);
              } else {
                event.from.insertBefore(card, event.from.children[event.oldIndex] || null);
                say(text, true);
              }
            });
          });
        }
      });
    });
  }

  function recount(grid) {
    grid.querySelectorAll(".column").forEach(function (column) {
      var count = column.querySelector(".count");
      var shown = column.querySelectorAll(".kcard").length;
      if (!column.querySelector(".more-cards")) count.textContent = shown;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    loadInto(document);
    uploads(document);
    board(document);
  });
})();
