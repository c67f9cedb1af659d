/* The sale status screen: live over Server-Sent Events, polling when they are unavailable.
   Every change re-fetches the server-rendered panel; the page itself is never reloaded. */
(function () {
  "use strict";
  var panel = document.getElementById("panel");
  if (!panel) { return; }
  var live = document.getElementById("live");
  var poller = null;

  function localTimes() {
    var nodes = panel.querySelectorAll("time[datetime]");
    for (var i = 0; i < nodes.length; i++) {
      var when = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        nodes[i].textContent = when.toLocaleString(document.documentElement.lang || undefined);
      }
    }
  }

  function bind() {
    localTimes();
    var form = document.getElementById("cancel-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    }
  }

  function refresh() {
    fetch(panel.getAttribute("data-panel-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) { panel.innerHTML = html; bind(); }
      })
      .catch(function () { /* offline for a moment: the next event or poll retries */ });
  }

  function startPolling() {
    if (poller === null) { poller = window.setInterval(refresh, 3000); }
  }

  function stopPolling() {
    if (poller !== null) { window.clearInterval(poller); poller = null; }
  }

  bind();
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
