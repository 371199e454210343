// Relata's small client-side glue. Libraries (HTMX, Alpine, Bootstrap) come from npm.
(function () {
  "use strict";
  // A server error during an HTMX request: say so instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) { return; } // HX-Redirect to the log-in page handles it
    var box = document.getElementById("htmx-error");
    if (box) {
      box.classList.remove("d-none");
      box.querySelector("[data-status]").textContent = String(status);
    }
  });
  // Export links carry the list's current filters (the address bar follows them).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-keep-query]");
    if (!link) { return; }
    var params = new URLSearchParams(window.location.search);
    new URLSearchParams(link.search).forEach(function (value, key) { params.set(key, value); });
    params.delete("page");
    link.search = params.toString();
  });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("htmx-offline");
    if (box) { box.classList.remove("d-none"); }
  });
})();
