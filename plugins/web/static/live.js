// Live updates (docs/web.md, "Live"): one EventSource on /events; any event asks the page's
// live sections (hx-trigger="shelver-changed from:body") to reload, at most every 300 ms.
// No inline script anywhere: the Content-Security-Policy allows scripts from this server only.
(function () {
  "use strict";
  var pending = null;
  function changed() {
    if (pending !== null) { return; }
    pending = setTimeout(function () {
      pending = null;
      document.body.dispatchEvent(new CustomEvent("shelver-changed", { bubbles: true }));
    }, 300);
  }
  function start() {
    if (!window.EventSource) { return; }
    var after = document.body.getAttribute("data-after");
    var source = new EventSource("/events" + (after ? "?after=" + encodeURIComponent(after) : ""));
    var light = document.getElementById("live");
    ["run-started", "run-ended", "item-started", "phase", "item-done", "progress"].forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        document.body.setAttribute("data-last-event", event.lastEventId);
        changed();
      });
    });
    source.onopen = function () { if (light) { light.className = "live on"; } };
    source.onerror = function () { if (light) { light.className = "live off"; } };
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
