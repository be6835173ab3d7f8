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

// Upload activity: a file dropped on the zone goes into its file input (the
// picker stays the way in by keyboard and with scripts off). The page does
// not send it at once: the athlete sees which file is ready, may add a
// title, and the Upload button gets the focus, so one Enter sends it.
document.querySelectorAll("[data-drop]").forEach(function (zone) {
  var input = document.getElementById(zone.getAttribute("data-drop"));
  var status = zone.querySelector("[role=status]");
  var hint = zone.querySelector(".hint");
  if (!input || typeof DataTransfer === "undefined") { return; }
  if (hint) { hint.hidden = false; }
  function say(text) { if (status) { status.textContent = text; } }
  function over(event) {
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("over");
  }
  zone.addEventListener("dragenter", over);
  zone.addEventListener("dragover", over);
  zone.addEventListener("dragleave", function (event) {
    if (!zone.contains(event.relatedTarget)) { zone.classList.remove("over"); }
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    var files = event.dataTransfer.files;
    if (!files || files.length === 0) { say("That was not a file: drop a GPX, TCX or FIT file."); return; }
    if (files.length > 1) { say("Drop one file at a time."); return; }
    var chosen = new DataTransfer();
    chosen.items.add(files[0]);
    input.files = chosen.files;
    say(files[0].name + " is ready: press Upload activity to send it.");
    var send = input.form && input.form.querySelector("button[type=submit]");
    if (send) { send.focus(); }
  });
  input.addEventListener("change", function () {
    if (input.files.length === 1) { say(input.files[0].name + " is ready: press Upload activity to send it."); }
  });
  // A file dropped beside the zone would make the browser leave the page to show it.
  document.addEventListener("dragover", function (event) { event.preventDefault(); });
  document.addEventListener("drop", function (event) {
    if (!zone.contains(event.target)) { event.preventDefault(); say("Drop the file on the Activity file box."); }
  });
});
