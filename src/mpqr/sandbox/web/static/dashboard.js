// The sandbox dashboard: refresh the panel and the clock once a second, and send the buttons'
// actions to the control plane. The panel is HTML rendered (and escaped) by the server's template;
// this script never builds markup from data itself.
(() => {
  "use strict";

  const panel = document.getElementById("panel");
  const status = document.getElementById("live-status");
  const pollMs = Number(status.dataset.pollMs) || 1000;
  let lastPanel = null;

  async function postJson(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.json();
  }

  function showClock(clock) {
    document.getElementById("clock-now").textContent = clock.now.slice(0, 19).replace("T", " ");
    document.getElementById("clock-offset").textContent = String(clock.offset_seconds);
  }

  async function refresh() {
    const [panelResponse, clockResponse] = await Promise.all([
      fetch("/_sandbox/web/dashboard", { cache: "no-store" }),
      fetch("/_sandbox/clock", { cache: "no-store" }),
    ]);
    if (!panelResponse.ok || !clockResponse.ok) throw new Error("refresh failed");
    const html = await panelResponse.text();
    if (html !== lastPanel) {
      panel.innerHTML = html; // server-rendered with Jinja2 autoescape
      lastPanel = html;
    }
    showClock(await clockResponse.json());
  }

  async function loop() {
    try {
      await refresh();
      status.textContent = "live";
      status.classList.remove("error");
    } catch (err) {
      status.textContent = "offline — retrying";
      status.classList.add("error");
    }
    setTimeout(loop, pollMs);
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }

  async function act(button) {
    if (button.dataset.copy !== undefined) return copy(button.dataset.copy, button);
    button.disabled = true;
    try {
      if (button.dataset.advance) {
        showClock(await postJson("/_sandbox/clock/advance", { seconds: Number(button.dataset.advance) }));
      } else if (button.dataset.resend) {
        await postJson(`/_sandbox/notifications/${encodeURIComponent(button.dataset.resend)}/resend`);
      }
      await refresh();
    } catch (err) {
      status.textContent = String(err.message || err);
      status.classList.add("error");
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy], button[data-advance], button[data-resend]");
    if (button) act(button);
  });

  setTimeout(loop, pollMs);
})();
