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
  // New notifications (task reminders…) arrive with the bell's polling as <template
  // data-toast> elements: show each once as a pop-up in the corner.
  var shownToasts = {};
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }
  function showToasts(root) {
    var box = document.getElementById("toasts");
    if (!box || !root) { return; }
    root.querySelectorAll("template[data-toast]").forEach(function (item) {
      var id = item.dataset.id;
      if (shownToasts[id]) { return; }
      shownToasts[id] = true;
      var toast = document.createElement("div");
      toast.className = "toast show";
      toast.setAttribute("role", "alert");
      toast.dataset.testid = "toast";
      var header = document.createElement("div");
      header.className = "toast-header";
      var title = document.createElement("strong");
      title.className = "me-auto";
      title.textContent = item.dataset.title;
      var close = document.createElement("button");
      close.type = "button";
      close.className = "btn-close";
      close.setAttribute("aria-label", box.dataset.closeLabel || "Close");
      close.addEventListener("click", function () { toast.remove(); });
      header.appendChild(title);
      header.appendChild(close);
      var body = document.createElement("div");
      body.className = "toast-body";
      body.textContent = item.dataset.body;
      if (item.dataset.url) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = box.dataset.readUrl;
        form.className = "mt-2";
        [["csrfmiddlewaretoken", csrfToken()], ["id", id]].forEach(function (pair) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = pair[0];
          input.value = pair[1];
          form.appendChild(input);
        });
        var open = document.createElement("button");
        open.type = "submit";
        open.className = "btn btn-sm btn-primary";
        open.textContent = box.dataset.openLabel || "Open";
        form.appendChild(open);
        body.appendChild(form);
      }
      toast.appendChild(header);
      toast.appendChild(body);
      box.appendChild(toast);
    });
  }
  document.addEventListener("htmx:afterSettle", function () {
    showToasts(document.getElementById("notifications"));
  });
  // Rich-text notes keep text only: files are attached to the activity, not pasted in.
  document.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("htmx-offline");
    if (box) { box.classList.remove("d-none"); }
  });

  // The condition builder of client lists: rows of field / comparison / value, each
  // sent as one `cond=field|op|json-value` parameter.
  var MULTI = ["in", "not_in", "any", "all", "none"];
  var NO_VALUE = ["empty", "not_empty"];
  window.conditionBuilder = function (fields, initial) {
    return {
      fields: fields,
      rows: [],
      next: 1,
      init: function () {
        var self = this;
        (Array.isArray(initial) ? initial : []).forEach(function (raw) {
          var parts = raw.split("|");
          var value = "";
          try { value = JSON.parse(parts.slice(2).join("|")); } catch (e) { value = parts.slice(2).join("|"); }
          if (Array.isArray(value)) { value = value.map(String); } else if (value === null) { value = ""; }
          self.rows.push({ id: self.next++, field: parts[0], op: parts[1], value: value });
        });
      },
      field: function (row) {
        return this.fields.find(function (f) { return f.key === row.field; }) || this.fields[0];
      },
      ops: function (row) { return this.field(row).ops; },
      options: function (row) { return this.field(row).options || []; },
      isMulti: function (row) { return MULTI.indexOf(row.op) >= 0; },
      needsValue: function (row) { return NO_VALUE.indexOf(row.op) < 0; },
      inputType: function (row) {
        var type = this.field(row).type;
        if (type === "date" || type === "datetime") { return row.op === "last_days" ? "number" : "date"; }
        return (type === "number" || type === "money") ? "number" : "text";
      },
      complete: function (row) {
        if (!this.needsValue(row)) { return true; }
        return Array.isArray(row.value) ? row.value.length > 0 : String(row.value).trim() !== "";
      },
      encoded: function (row) {
        var value = this.needsValue(row) ? row.value : null;
        if (value !== null && this.isMulti(row) && !Array.isArray(value)) { value = [value]; }
        return row.field + "|" + row.op + "|" + JSON.stringify(value);
      },
      add: function () {
        var first = this.fields[0];
        this.rows.push({ id: this.next++, field: first.key, op: first.ops[0].value, value: "" });
      },
      remove: function (index) {
        var root = this.$root;
        this.rows.splice(index, 1);
        this.$nextTick(function () { root.dispatchEvent(new Event("change", { bubbles: true })); });
      }
    };
  };

  // Repeated rows of the client form (phones, e-mails, addresses, messengers,
  // companies): each row's inputs are sent as parallel lists ("phones-number"…).
  var EMPTY_ROWS = {
    phones: { number: "", extension: "", kind: "mobile" },
    emails: { email: "", kind: "work" },
    addresses: { kind: "actual", postcode: "", region: "", city: "", street: "", country: "RU" },
    messengers: { kind: "telegram", handle: "" },
    companies: { company: "", name: "", job_title: "", department: "" }
  };
  window.clientRows = function (rows, choices, errors) {
    var next = 1;
    var state = { rows: {}, choices: choices, errors: errors || {} };
    Object.keys(EMPTY_ROWS).forEach(function (group) {
      state.rows[group] = (rows[group] || []).map(function (row) {
        return Object.assign({}, EMPTY_ROWS[group], row, { _id: next++ });
      });
    });
    state.add = function (group) { this.rows[group].push(Object.assign({}, EMPTY_ROWS[group], { _id: next++ })); };
    state.remove = function (group, index) { this.rows[group].splice(index, 1); };
    state.error = function (group, index) {
      var messages = index === undefined ? this.errors[group] : this.errors[group + "." + index];
      return messages ? messages.join(" ") : "";
    };
    return state;
  };
  // A picker of one visible client by a fragment of its name, through the API's search.
  window.clientPicker = function (kind, id, name) {
    return {
      id: id ? String(id) : "",
      text: name || "",
      found: [],
      find: function () {
        var self = this;
        if (this.text.trim().length < 2) { this.found = []; return; }
        fetch("/api/v1/clients/search?kind=" + kind + "&limit=8&q=" + encodeURIComponent(this.text), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) { self.found = items; });
      },
      pick: function (client) { this.id = String(client.id); this.text = client.name; this.found = []; },
      clear: function () { this.id = ""; this.text = ""; this.found = []; }
    };
  };
})();
