/* Show <time datetime="..."> in the browser's own time zone and language. */
(function () {
  "use strict";
  function localTimes(root) {
    var nodes = (root || document).querySelectorAll("time[datetime]");
    for (var i = 0; i < nodes.length; i++) {
      var when = new Date(nodes[i].getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        nodes[i].textContent = when.toLocaleString(document.documentElement.lang || undefined);
      }
    }
  }
  window.mpqrLocalTimes = localTimes;
  localTimes(document);
})();
