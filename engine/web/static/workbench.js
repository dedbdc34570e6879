// yoko workbench: small conveniences only; every page works without this file.
// Adding or removing a row of a list of records happens here without a round trip to the server.
"use strict";
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.add-row, button.remove-row");
  if (!button) { return; }
  var table = button.closest("fieldset").querySelector("table.rows");
  if (!table) { return; }
  event.preventDefault();
  var body = table.tBodies[0];
  if (button.classList.contains("remove-row")) {
    if (body.rows.length > 1) { button.closest("tr").remove(); } else { clearRow(button.closest("tr")); }
  } else {
    var copy = body.rows[body.rows.length - 1].cloneNode(true);
    clearRow(copy);
    body.appendChild(copy);
  }
  renumber(table);
  var first = body.rows[body.rows.length - 1].querySelector("input, select");
  if (first && button.classList.contains("add-row")) { first.focus(); }
});

function clearRow(row) {
  row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
  row.querySelectorAll("select").forEach(function (s) { s.selectedIndex = 0; });
}

function renumber(table) {
  var name = table.getAttribute("data-rows");
  Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) {
    row.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace(new RegExp("^f\\." + name + "\\.\\d+\\."), "f." + name + "." + i + ".");
      if (el.id) { el.id = el.id.replace(new RegExp("^f-" + name + "-\\d+-"), "f-" + name + "-" + i + "-"); }
    });
    var remove = row.querySelector("button.remove-row");
    if (remove) { remove.value = "remove:" + name + ":" + i; }
  });
}
