// Poll an import job's status while it runs; reload when it ends.
(function () {
  var box = document.getElementById("job-status");
  if (!box || box.dataset.state !== "running") return;
  var bar = document.getElementById("job-progress"), rate = document.getElementById("job-rate");
  var en = document.documentElement.lang === "en";
  function tick() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.progress) {
          if (s.progress.total) bar.max = s.progress.total;
          bar.value = s.progress.done;
          var eta = s.progress.eta_seconds != null ? (en ? ", about " : ", còn khoảng ") + s.progress.eta_seconds + " s" : "";
          rate.textContent = s.progress.done + (en ? " rows, " : " dòng, ") + s.progress.rate + (en ? " rows/s" : " dòng/giây") + eta;
        }
        if (s.status === "running") { setTimeout(tick, 1000); } else { window.location.reload(); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  tick();
})();
