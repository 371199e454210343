// Relata: the lines editor of a deal (Alpine.js component). Rows are posted as parallel
// lists; the server fills prices from the client's price list and checks every value.
(function () {
  "use strict";
  function read(id) {
    try { return JSON.parse(document.getElementById(id).textContent) || []; } catch (e) { return []; }
  }
  var counter = 0;
  function row(values) {
    counter += 1;
    return Object.assign({ key: counter, product: "", name: "", quantity: "1", price: "", discount: "", vat_rate: "", errors: {} }, values || {});
  }
  window.dealLines = function (rowsId, productsId) {
    var rows = read(rowsId).map(function (values) { values.product = values.product ? String(values.product) : ""; return row(values); });
    return {
      rows: rows.length ? rows : [row()],
      products: read(productsId),
      add: function () { this.rows.push(row()); },
      remove: function (index) { this.rows.splice(index, 1); if (!this.rows.length) { this.rows.push(row()); } },
      picked: function (line) {
        var product = this.products.find(function (p) { return String(p.id) === String(line.product); });
        if (product) { line.name = product.name; line.vat_rate = product.vat; line.price = ""; }
      }
    };
  };
})();
