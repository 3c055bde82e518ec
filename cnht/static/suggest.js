// Suggestions for the search box: a small debounced fetch into a <datalist>.
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("q-suggest");
  if (!input || !list) return;
  let timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value;
    if (q.trim().length < 2 || q === last) return;
    timer = setTimeout(function () {
      last = q;
      fetch("/api/v1/suggest?limit=8&q=" + encodeURIComponent(q))
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          list.replaceChildren();
          (data.items || []).forEach(function (item) {
            const opt = document.createElement("option");
            opt.value = item.text;
            list.appendChild(opt);
          });
        })
        .catch(function () { /* suggestions are optional */ });
    }, 150);
  });
})();
