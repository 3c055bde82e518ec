// Small behaviours without inline handlers (the Content-Security-Policy forbids inline script).
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
});
document.addEventListener("click", function (ev) {
  var el = ev.target;
  if (el.matches && el.matches("[data-print]")) window.print();
  // phone layout: the menu and the search filters open and close in place
  var toggle = el.closest && el.closest("[data-toggle]");
  if (toggle) {
    var target = document.getElementById(toggle.getAttribute("data-toggle"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (target) target.classList.toggle("open", open);
  }
});
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.matches && el.matches("input[data-select-all]") && el.form) {
    var boxes = el.form.querySelectorAll('input[type=checkbox][name="' + el.getAttribute("data-select-all") + '"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].checked = el.checked;
  }
});
document.documentElement.classList.add("js");
