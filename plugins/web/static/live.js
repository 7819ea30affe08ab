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
    var state = "live";
    function show(name) {  // the dot is part of the page: shown again after htmx swaps it
      state = name;
      var light = document.getElementById("live");
      if (light) { light.className = name; }
    }
    document.body.addEventListener("htmx:afterSettle", function () { show(state); });
    ["run-started", "run-ended", "item-started", "phase", "item-done", "progress"].forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        document.body.setAttribute("data-last-event", event.lastEventId);
        changed();
      });
    });
    source.onopen = function () { show("live on"); };
    source.onerror = function () { show("live off"); };
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
