/* The "sound when paid" setting: off by default, remembered in this browser (localStorage).
   window.mpqrChime() plays a short two-note chime with WebAudio when the setting is on. */
(function () {
  "use strict";
  var KEY = "mpqr.sound";
  var box = document.getElementById("sound");
  function enabled() {
    try { return window.localStorage.getItem(KEY) === "on"; } catch (e) { return false; }
  }
  if (box) {
    box.checked = enabled();
    box.addEventListener("change", function () {
      try { window.localStorage.setItem(KEY, box.checked ? "on" : "off"); } catch (e) { /* private mode */ }
    });
  }
  window.mpqrChime = function () {
    if (!enabled()) { return false; }
    window.mpqrChimes = (window.mpqrChimes || 0) + 1;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return false; }
    try { play(new Context()); } catch (e) { return false; /* no audio device */ }
    return true;
  };
  function play(ctx) {
    [880, 1320].forEach(function (freq, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.2, ctx.currentTime + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + i * 0.18 + 0.3);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.18);
      osc.stop(ctx.currentTime + i * 0.18 + 0.32);
    });
  }
})();
