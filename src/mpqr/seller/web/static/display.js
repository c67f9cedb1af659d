/* The customer display: follows the cashbox's sales over Server-Sent Events (polling when they
   are unavailable) and swaps in the server-rendered view; a paid ✓ returns to "waiting" after the
   time the server gives (data-again). "Full screen" asks the browser for the whole screen. */
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var announce = document.getElementById("announce");
  var timer = null;
  var poller = null;

  function shown() {
    var show = document.getElementById("show");
    return show ? show.getAttribute("data-shown") : null;
  }

  function schedule() {
    if (timer !== null) { window.clearTimeout(timer); timer = null; }
    var show = document.getElementById("show");
    var again = show && show.getAttribute("data-again");
    if (again) { timer = window.setTimeout(refresh, Number(again) * 1000); }
  }

  function swap(html) {
    var before = shown();
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("show");
    if (!fresh) { return; }
    root.innerHTML = "";
    root.appendChild(document.importNode(fresh, true));
    var after = shown();
    if (after !== before) {
      if (announce) { announce.textContent = fresh.getAttribute("data-announce") || ""; }
      if (after === "paid" && window.mpqrChime) { window.mpqrChime(); }
    }
    schedule();
  }

  function refresh() {
    fetch(root.getAttribute("data-panel-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null) { swap(html); } })
      .catch(function () { /* the next event or poll retries */ });
  }

  var full = document.getElementById("full-screen");
  if (full) {
    full.addEventListener("click", function () {
      var el = document.documentElement;
      if (el.requestFullscreen) { el.requestFullscreen().catch(function () { /* refused */ }); }
    });
  }

  schedule();
  if (!window.EventSource) { poller = window.setInterval(refresh, 3000); return; }
  var source = new EventSource(root.getAttribute("data-events-url"));
  source.addEventListener("sale", function () {
    if (poller !== null) { window.clearInterval(poller); poller = null; }
    refresh();
  });
  source.onerror = function () {
    if (poller === null) { poller = window.setInterval(refresh, 3000); }
  };
})();
