// Relata: the contact-person picker of the deal form (Alpine.js component).
(function () {
  "use strict";
  window.contactsPicker = function (initialId) {
    var initial = [];
    try { initial = JSON.parse(document.getElementById(initialId).textContent) || []; } catch (e) { initial = []; }
    return {
      chosen: initial,
      text: "",
      found: [],
      find: function () {
        var self = this;
        if (this.text.trim().length < 2) { this.found = []; return; }
        fetch("/api/v1/clients/search?kind=person&limit=8&q=" + encodeURIComponent(this.text), {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        }).then(function (response) { return response.ok ? response.json() : []; })
          .then(function (items) { self.found = items; });
      },
      add: function (person) {
        if (!this.chosen.some(function (c) { return c.id === person.id; })) {
          this.chosen.push({ id: person.id, name: person.name });
        }
        this.text = ""; this.found = [];
      },
      remove: function (person) { this.chosen = this.chosen.filter(function (c) { return c.id !== person.id; }); }
    };
  };
})();
