// Small behaviours without inline handlers (the Content-Security-Policy forbids inline script).
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
});
document.addEventListener("click", function (ev) {
  var el = ev.target;
  if (el.matches && el.matches("[data-print]")) window.print();
});
