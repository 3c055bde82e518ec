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
// Row sections of the profile editor: "add a row" copies the section's template row; a row's remove
// button takes it off the page (saved with the section). Without script the page always ends with one
// blank row, and the remove button saves the section without that row.
var rowCount = 0;
document.addEventListener("click", function (ev) {
  var add = ev.target.closest && ev.target.closest("[data-add-row]");
  if (add) {
    var section = add.getAttribute("data-add-row");
    var tpl = document.getElementById("row-" + section);
    var rows = document.querySelector('[data-rows="' + section + '"]');
    if (!tpl || !rows) return;
    rowCount += 1;
    var n = rows.querySelectorAll("[data-row]").length + 1;
    var html = tpl.innerHTML.replace(/new-__N__/g, "new-" + rowCount + "x").replace(/__N__/g, String(n) + "x" + rowCount);
    rows.insertAdjacentHTML("beforeend", html);
    var added = rows.lastElementChild;
    var legend = added.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\S+$/, String(n));
    var first = added.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    add.form.classList.add("changed");
    return;
  }
  var remove = ev.target.closest && ev.target.closest(".row-remove");
  if (remove && remove.form) {
    ev.preventDefault();
    var form = remove.form;
    var row = remove.closest("[data-row]");
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    form.classList.add("changed");
    var focus = next && next.querySelector("input:not([type=hidden])");
    (focus || form.querySelector("[data-add-row]")).focus();
  }
});
