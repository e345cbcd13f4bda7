// syndicate report: sort tables by a click on their headers, filter the clusters table. Runs from the file system.
"use strict";
(function () {
  function cellValue(row, column, numeric) {
    var cell = row.cells[column];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent;
    return numeric ? parseFloat(raw) || 0 : raw.toLowerCase();
  }

  function makeSortable(table) {
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (header, column) {
      var kind = header.getAttribute("data-sort");
      var button = header.querySelector("button");
      if (!kind || !button) { return; }
      button.addEventListener("click", function () {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = kind === "number";
        rows.sort(function (a, b) {
          var x = cellValue(a, column, numeric), y = cellValue(b, column, numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function makeFilterable(form, table) {
    var controls = form.querySelectorAll("[data-filter]");
    var count = form.querySelector("[data-count]");
    function apply() {
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var keep = Array.prototype.every.call(controls, function (control) {
          var wanted = control.value, field = control.getAttribute("data-filter");
          if (!wanted) { return true; }
          if (field === "text") { return row.textContent.toLowerCase().indexOf(wanted.toLowerCase()) >= 0; }
          return (row.getAttribute("data-" + field) || "").split("\n").indexOf(wanted) >= 0;
        });
        row.hidden = !keep;
        shown += keep ? 1 : 0;
      });
      count.textContent = shown + " of " + table.tBodies[0].rows.length + " clusters";
    }
    Array.prototype.forEach.call(controls, function (control) {
      control.addEventListener("input", apply);
      control.addEventListener("change", apply);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.hidden = false;
    apply();
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  var form = document.getElementById("cluster-filters"), clusters = document.getElementById("cluster-table");
  if (form && clusters) { makeFilterable(form, clusters); }
  document.documentElement.setAttribute("data-ready", "true");
})();
