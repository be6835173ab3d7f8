// roster console: progressive enhancements only; every page works without it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy]");
  if (!button) { return; }
  var field = document.getElementById(button.getAttribute("data-copy"));
  if (field && navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
  }
});

// "Select every athlete on this page": a box in the table's head ticks the
// row boxes named by its data-check-all, and shows whether some or all are.
function rowBoxes(all) {
  return Array.prototype.slice.call(
    document.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-check-all") + '"]'));
}
function showChecked(all) {
  var boxes = rowBoxes(all);
  var ticked = boxes.filter(function (box) { return box.checked; }).length;
  all.checked = boxes.length > 0 && ticked === boxes.length;
  all.indeterminate = ticked > 0 && ticked < boxes.length;
}
document.querySelectorAll("[data-check-all]").forEach(function (all) {
  all.hidden = false;
  showChecked(all);
});
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-check-all]");
  if (all) {
    rowBoxes(all).forEach(function (box) { box.checked = all.checked; });
    return;
  }
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    if (box.getAttribute("data-check-all") === event.target.name) { showChecked(box); }
  });
});
