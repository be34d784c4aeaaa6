// The export file's progress bar, updated every second (the page also reloads itself every
// few seconds, which is all there is without JavaScript); when the export is finished
// (ready or failed), the page is loaded again at once to show the download. A file of
// its own, not an inline script: the Content-Security-Policy allows only these.
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  var bar = document.getElementById("export-progress-bar");
  if (!box || !bar || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  function ask() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (reply) { return reply.ok ? reply.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(ask, 3000); return; }
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        if (state.status === "ready" || state.status === "failed") {
          window.location.replace(state.page);
          return;
        }
        window.setTimeout(ask, 1000);
      })
      .catch(function () { window.setTimeout(ask, 3000); });
  }
  window.setTimeout(ask, 1000);
})();
