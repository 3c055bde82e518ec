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
// The profile editor saves one section per form: typing in one section and then saving another would
// lose the first. Forms with data-unsaved mark themselves changed; saving one asks first when another
// holds changes, and leaving the page with changes asks too.
document.addEventListener("input", function (ev) {
  var form = ev.target.form;
  if (form && form.hasAttribute("data-unsaved")) form.classList.add("changed");
});
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form.hasAttribute || !form.hasAttribute("data-unsaved")) return;
  var others = document.querySelectorAll("form[data-unsaved].changed");
  for (var i = 0; i < others.length; i++) {
    if (others[i] !== form) {
      if (!window.confirm(form.getAttribute("data-unsaved"))) { ev.preventDefault(); return; }
      break;
    }
  }
  window.cnhtLeaving = true;
});
window.addEventListener("beforeunload", function (ev) {
  if (!window.cnhtLeaving && document.querySelector("form[data-unsaved].changed")) {
    ev.preventDefault();
    ev.returnValue = "";
  }
});
document.documentElement.classList.add("js");
