// The sandbox dashboard: refresh the panel and the clock once a second, and send the controls'
// actions to the control plane (/_sandbox/...). The panel is HTML rendered (and escaped) by the
// server's template; this script never builds markup from data itself. The fault form sits outside
// the panel, so a refresh never wipes what is being typed in it.
(() => {
  "use strict";

  const panel = document.getElementById("panel");
  const status = document.getElementById("live-status");
  const said = document.getElementById("action-status");
  const pollMs = Number(status.dataset.pollMs) || 1000;
  let lastPanel = null;

  async function send(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body === undefined ? {} : body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error((data && (data.message || data.error)) || `${path}: HTTP ${response.status}`);
    }
    return data;
  }

  function say(text, isError) {
    said.textContent = text;
    said.classList.toggle("error", Boolean(isError));
  }

  function showClock(clock) {
    document.getElementById("clock-now").textContent = clock.now.slice(0, 19).replace("T", " ");
    document.getElementById("clock-offset").textContent = String(clock.offset_seconds);
  }

  function replacePanel(html) {
    // keep the deliveries the reader opened open across refreshes
    const open = Array.from(panel.querySelectorAll("details[open]"), (d) => d.id);
    panel.innerHTML = html; // server-rendered with Jinja2 autoescape
    for (const id of open) {
      const details = document.getElementById(id);
      if (details) details.open = true;
    }
  }

  async function refresh() {
    const [panelResponse, clockResponse] = await Promise.all([
      fetch("/_sandbox/web/dashboard", { cache: "no-store" }),
      fetch("/_sandbox/clock", { cache: "no-store" }),
    ]);
    if (!panelResponse.ok || !clockResponse.ok) throw new Error("refresh failed");
    const html = await panelResponse.text();
    if (html !== lastPanel) {
      replacePanel(html);
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

  async function advance(seconds) {
    const clock = await send("POST", "/_sandbox/clock/advance", { seconds });
    showClock(clock);
    const expired = Array.isArray(clock.expired) ? clock.expired.length : Number(clock.expired) || 0;
    return `Clock advanced ${seconds} s${expired ? `; ${expired} order(s) expired` : ""}.`;
  }

  async function settle(button) {
    const { payment } = await send("POST", `/_sandbox/payments/${encodeURIComponent(button.dataset.settle)}/settle`,
      { status: button.dataset.status });
    return `Payment ${payment.id} is now ${payment.status} (${payment.status_detail}).`;
  }

  async function resend(button) {
    const delivery = await send("POST", `/_sandbox/notifications/${encodeURIComponent(button.dataset.resend)}/resend`);
    return `Notification ${delivery.id} will be sent again now.`;
  }

  // ---- fault switches ------------------------------------------------------------------------

  const faultsForm = document.getElementById("faults-form");

  function number(name) {
    const value = faultsForm.elements.namedItem(name).value.trim();
    return value === "" ? 0 : Number(value);
  }

  function faultsFromForm() {
    const statuses = faultsForm.elements.namedItem("api.error_statuses").value
      .split(/[\s,]+/).filter(Boolean).map(Number);
    return {
      seed: number("seed"),
      api: {
        error_rate: number("api.error_rate"),
        error_statuses: statuses.length ? statuses : [500, 503, 429],
        latency_ms: [number("api.latency_ms.0"), number("api.latency_ms.1")],
      },
      notifications: {
        drop: number("notifications.drop"),
        duplicate: number("notifications.duplicate"),
        reorder: number("notifications.reorder"),
        delay_ms: [number("notifications.delay_ms.0"), number("notifications.delay_ms.1")],
      },
    };
  }

  function fillFaultsForm(config) {
    const set = (name, value) => { faultsForm.elements.namedItem(name).value = String(value); };
    set("seed", config.seed);
    set("api.error_rate", config.api.error_rate);
    set("api.error_statuses", config.api.error_statuses.join(", "));
    set("api.latency_ms.0", config.api.latency_ms[0]);
    set("api.latency_ms.1", config.api.latency_ms[1]);
    for (const key of ["drop", "duplicate", "reorder"]) set(`notifications.${key}`, config.notifications[key]);
    set("notifications.delay_ms.0", config.notifications.delay_ms[0]);
    set("notifications.delay_ms.1", config.notifications.delay_ms[1]);
  }

  async function putFaults(config) {
    fillFaultsForm(await send("PUT", "/_sandbox/faults", config));
    return config.api || config.notifications ? "Fault injection updated." : "Fault injection is off.";
  }

  // ---- wiring --------------------------------------------------------------------------------

  async function act(control, task) {
    control.disabled = true;
    try {
      say(await task());
      await refresh();
    } catch (err) {
      say(String(err.message || err), true);
    } finally {
      control.disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.type === "submit") return;
    if (button.dataset.copy !== undefined) copy(button.dataset.copy, button);
    else if (button.dataset.advance) act(button, () => advance(Number(button.dataset.advance)));
    else if (button.dataset.settle) act(button, () => settle(button));
    else if (button.dataset.resend) act(button, () => resend(button));
    else if (button.dataset.faultsOff !== undefined) act(button, () => putFaults({}));
  });

  document.getElementById("advance-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = event.target.elements.namedItem("seconds");
    act(event.submitter || input, () => advance(Number(input.value)));
  });

  if (faultsForm) {
    faultsForm.addEventListener("submit", (event) => {
      event.preventDefault();
      act(event.submitter || faultsForm, () => putFaults(faultsFromForm()));
    });
  }

  setTimeout(loop, pollMs);
})();
