// Relata: the kanban board. Cards are dragged between columns with SortableJS; a drop
// posts to the server, which answers JSON: done, a page to open (the fields the stage
// requires, the loss reason) or a refusal. The board then reloads as it now is.
(function () {
  "use strict";

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function showError(text) {
    var box = document.getElementById("board-error");
    if (!box) { return; }
    box.textContent = text;
    box.classList.toggle("d-none", !text);
  }

  function reload(board) {
    window.htmx.ajax("GET", board.dataset.boardUrl, { target: "#board", swap: "outerHTML" });
  }

  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: response.statusText }; });
    });
  }

  function dropped(board, event) {
    var card = event.item;
    var target = event.to;
    if (event.from === target) { return; }
    var id = card.dataset.deal;
    var version = card.dataset.version;
    var stage = target.dataset.drop;
    var request;
    if (stage === "lost") {
      window.location.href = target.dataset.loseUrlTemplate.replace("/0/", "/" + id + "/") + "?version=" + version +
        "&next=" + encodeURIComponent(board.dataset.boardUrl);
      return;
    }
    if (stage === "won") {
      request = post(target.dataset.winUrlTemplate.replace("/0/", "/" + id + "/"), { version: version, board: "1" });
    } else {
      request = post(target.dataset.moveUrlTemplate.replace("/0/", "/" + id + "/"), { stage: stage, version: version, board: "1" });
    }
    request.then(function (answer) {
      if (answer.redirect) { window.location.href = answer.redirect; return; }
      showError(answer.ok ? "" : answer.error || "");
      reload(board);
    }, function () { reload(board); });
  }

  function setUp() {
    var board = document.getElementById("board");
    if (!board || board.dataset.ready || !window.Sortable || board.dataset.canMove !== "1") { return; }
    board.dataset.ready = "1";
    board.querySelectorAll(".board-cards").forEach(function (list) {
      var closed = list.dataset.drop === "won" || list.dataset.drop === "lost";
      window.Sortable.create(list, {
        group: { name: "deals", pull: !closed, put: true },
        draggable: ".draggable",
        sort: false,
        animation: 120,
        // Pointer events instead of the browser's own drag and drop: the same on touch
        // screens, and scriptable by the browser tests.
        forceFallback: true,
        fallbackOnBody: true,
        ghostClass: "opacity-50",
        onEnd: function (event) { dropped(board, event); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();
