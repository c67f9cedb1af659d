/* The sale status screen, live over Server-Sent Events (polling when they are unavailable).
   Every change fetches the server-rendered panel and patches its [data-region] parts in place:
   a region changes only when its data-key changed, and the "actions" region (the forms) is left
   alone while the cashier is typing in it, so a live update never wipes an amount being typed.
   A change of state is announced (aria-live), shown in the tab title, and chimes when paid. */
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (!panel) { return; }
  var live = document.getElementById("live");
  var announce = document.getElementById("announce");
  var poller = null;
  var busy = false;
  var again = false;

  function localTimes(root) {
    if (window.mpqrLocalTimes) { window.mpqrLocalTimes(root); return; }
    var nodes = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < nodes.length; i++) {
      var when = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        nodes[i].textContent = when.toLocaleString(document.documentElement.lang || undefined);
      }
    }
  }

  function editing(region) {
    if (region.contains(document.activeElement) && document.activeElement !== document.body) {
      return true;
    }
    var inputs = region.querySelectorAll("input:not([type=hidden])");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value !== inputs[i].defaultValue) { return true; }
    }
    return false;
  }

  function screenOf(root) {
    var status = root.querySelector("#status");
    return status ? status.getAttribute("data-screen") : null;
  }

  function patch(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var before = screenOf(panel);
    var regions = fresh.querySelectorAll("[data-region]");
    for (var i = 0; i < regions.length; i++) {
      var name = regions[i].getAttribute("data-region");
      var current = panel.querySelector("[data-region='" + name + "']");
      if (!current || current.getAttribute("data-key") === regions[i].getAttribute("data-key")) {
        continue;
      }
      if (name === "actions" && editing(current)) { continue; }
      current.innerHTML = regions[i].innerHTML;
      current.setAttribute("data-key", regions[i].getAttribute("data-key"));
      localTimes(current);
    }
    var after = screenOf(panel);
    if (after !== before) { changed(after); }
  }

  function changed(state) {
    var status = document.getElementById("status");
    if (!status) { return; }
    document.title = status.getAttribute("data-title") + " · mpqr";
    if (announce) { announce.textContent = status.getAttribute("data-announce"); }
    if (state === "paid" && window.mpqrChime) { window.mpqrChime(); }
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(panel.getAttribute("data-panel-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null) { patch(html); } })
      .catch(function () { /* offline for a moment: the next event or poll retries */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function startPolling() {
    if (poller === null) { poller = window.setInterval(refresh, 3000); }
  }

  function stopPolling() {
    if (poller !== null) { window.clearInterval(poller); poller = null; }
  }

  localTimes(panel);
  if (!window.EventSource) { startPolling(); return; }
  var source = new EventSource(panel.getAttribute("data-events-url"));
  source.addEventListener("sale", function () {
    stopPolling();
    live.hidden = false;
    refresh();
  });
  source.onerror = function () {
    live.hidden = true;
    startPolling();
  };
})();
