// The simulated Mercado Pago app on one cashbox's QR. It polls GET /_sandbox/state once a second and
// scans (POST /_sandbox/scan) only when the order on the cashbox changes: each scan of a legacy
// order creates a new merchant order, as scanning again does in the real app. Paying calls
// POST /_sandbox/pay on the merchant order on screen, so "try again" after a rejection pays the
// same, still opened, merchant order without rescanning. All data goes in through textContent.
(() => {
  "use strict";

  const cfg = JSON.parse(document.getElementById("config").textContent);
  const T = cfg.strings;
  const app = document.getElementById("app");
  const $ = (id) => document.getElementById(id);
  const LOCALES = {
    ARS: "es-AR", BRL: "pt-BR", CLP: "es-CL", COP: "es-CO", MXN: "es-MX", PEN: "es-PE", UYU: "es-UY",
  };
  const ICONS = { approved: "✓", rejected: "✕", pending: "…" };

  const view = {
    screen: "loading",
    shownKey: undefined, // the live order (kind:id) the screen reflects; undefined = none yet
    latestKey: undefined, // the live order the last poll saw
    moId: null, // the merchant order on the order screen
    paidKey: null, // the live order the last payment was made on
    returning: false, // "back" from a result: show what the cashbox has now
    seller: null,
  };

  // one thing at a time: a poll never runs while a scan or a payment is in flight
  let chain = Promise.resolve();
  function exclusive(task) {
    const run = chain.then(task, task);
    chain = run.catch(() => {});
    return run;
  }

  function show(name) {
    for (const screen of app.querySelectorAll(".screen")) {
      screen.hidden = screen.id !== `screen-${name}`;
    }
    app.dataset.screen = name;
    view.screen = name;
  }

  function money(amount, currency) {
    try {
      const format = new Intl.NumberFormat(LOCALES[currency] || cfg.lang, { style: "currency", currency });
      return format.format(amount);
    } catch (err) {
      return `${currency} ${amount}`;
    }
  }

  async function call(method, path, body) {
    const init = { method, cache: "no-store", headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error((data && (data.message || data.error)) || `HTTP ${response.status}`);
    }
    return data;
  }

  function initials(text) {
    const words = String(text || "?").trim().split(/\s+/).filter(Boolean);
    return words.slice(0, 2).map((w) => Array.from(w)[0]).join("").toUpperCase() || "?";
  }

  function isImageUrl(url) {
    return typeof url === "string" && (/^https?:\/\//i.test(url) || url.startsWith("/"));
  }

  function renderPicture(order) {
    const picture = $("order-picture");
    const monogram = $("order-monogram");
    const business = view.seller && view.seller.business_name;
    const first = order.items[0];
    // MP shows the first item's title and picture when the seller has no business name or logo
    const url = !business && first ? first.picture_url : null;
    monogram.textContent = initials(order.title);
    if (isImageUrl(url)) {
      picture.onerror = () => { picture.hidden = true; monogram.hidden = false; };
      picture.src = url;
      picture.hidden = false;
      monogram.hidden = true;
    } else {
      picture.removeAttribute("src");
      picture.hidden = true;
      monogram.hidden = false;
    }
  }

  function renderItem(item, currency) {
    const li = document.createElement("li");
    const qty = document.createElement("span");
    qty.className = "qty";
    qty.textContent = `${item.quantity} ×`;
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = item.title;
    const price = document.createElement("span");
    price.className = "price";
    price.textContent = money(item.unit_price * item.quantity, currency);
    li.append(qty, name, price);
    return li;
  }

  function renderOrder(order) {
    $("order-title").textContent = order.title;
    renderPicture(order);
    $("order-items").replaceChildren(...order.items.map((i) => renderItem(i, order.currency_id)));
    $("order-total").textContent = money(order.total_amount, order.currency_id);
  }

  function showWaiting() {
    view.moId = null;
    show("waiting");
  }

  function showError(message) {
    $("error-message").textContent = message;
    show("error");
  }

  function showResult(payment) {
    const kind = payment.status === "approved" || payment.status === "rejected" ? payment.status : "pending";
    const icon = $("result-icon");
    icon.className = `result-icon s-${kind}`;
    icon.textContent = ICONS[kind];
    $("result-title").textContent = T[`${kind}_title`];
    $("result-amount").textContent = money(payment.transaction_amount, payment.currency_id);
    $("result-hint").textContent = kind === "approved" ? "" : T[`${kind}_hint`];
    $("result-operation").textContent = `${T.operation} #${payment.id}`;
    app.querySelector('#screen-result [data-action="retry"]').hidden = kind !== "rejected";
    app.querySelector('#screen-result [data-action="done"]').hidden = kind === "rejected";
    app.dataset.result = kind;
    show("result");
  }

  async function scan() {
    const result = await call("POST", "/_sandbox/scan", { pos_id: cfg.posId });
    if (!result.order) return showWaiting();
    view.moId = result.merchant_order_id;
    renderOrder(result.order);
    return show("order");
  }

  async function sync() {
    const state = await call("GET", "/_sandbox/state");
    const pos = state.pos[String(cfg.posId)];
    if (!pos) {
      view.shownKey = undefined;
      return view.screen === "error" ? undefined : showError(T.not_found);
    }
    view.seller = state.sellers[String(pos.seller_id)] || null;
    loadTestCards().catch(() => { cardsSite = null; });
    const key = pos.live_id ? `${pos.live_kind}:${pos.live_id}` : null;
    view.latestKey = key;
    if (view.returning) return comeBack(key);
    if (view.screen === "result" || view.screen === "error" || key === view.shownKey) return undefined;
    view.shownKey = key;
    return key === null ? showWaiting() : scan();
  }

  // The test-card picker: Mercado Pago's published test cards for the seller's site; the
  // cardholder name (APRO, OTHE, CONT, FUND...) picks the outcome, as in Mercado Pago's test plan.
  const CARD_TEXT = {
    es: ["Tarjeta de prueba", "Medio de pago", "Nombre del titular", "Pagar con este medio", "Dinero en cuenta"],
    pt: ["Cartão de teste", "Meio de pagamento", "Nome do titular", "Pagar com este meio", "Saldo em conta"],
    en: ["Test card", "Payment method", "Cardholder name", "Pay with this method", "Account money"],
  };
  let cardsSite = null;

  async function loadTestCards() {
    const site = view.seller && view.seller.site_id;
    if (!site || site === cardsSite) return;
    cardsSite = site;
    const text = CARD_TEXT[cfg.lang] || CARD_TEXT.en;
    ["test-card-summary", "pay-method-label", "holder-name-label", "pay-card"].forEach((id, i) => {
      $(id).textContent = text[i];
    });
    const data = await call("GET", `/_sandbox/test_cards?site_id=${encodeURIComponent(site)}`);
    const options = data.payment_methods.filter((m) => !["credit_card", "debit_card"].includes(m.payment_type_id))
      .map((m) => ({ value: `method:${m.id}`, label: m.id === "account_money" ? text[4] : m.id }));
    for (const card of data.cards) {
      options.push({ value: `card:${card.number}`, label: `${card.payment_method_id} •••• ${card.number.slice(-4)}` });
    }
    $("pay-method").replaceChildren(...options.map((o) => new Option(o.label, o.value)));
    $("holder-names").replaceChildren(...data.cardholders.map((h) => new Option(h.description, h.name)));
  }

  function pickedInstrument() {
    const [kind, value] = $("pay-method").value.split(/:(.*)/s);
    if (kind === "card") return { card_number: value, cardholder_name: $("holder-name").value };
    return { payment_method_id: value };
  }

  async function pay(status) {
    if (view.moId === null) return;
    view.paidKey = view.shownKey;
    const body = status === "card" ? pickedInstrument() : { status };
    try {
      const result = await call("POST", "/_sandbox/pay", { merchant_order_id: view.moId, ...body });
      showResult(result.payment);
    } catch (err) {
      showError(String(err.message || err));
    }
  }

  function setBusy(busy) {
    app.classList.toggle("busy", busy);
    for (const button of app.querySelectorAll("button")) button.disabled = busy;
  }

  async function onPay(status) {
    setBusy(true);
    try {
      await exclusive(() => pay(status));
    } finally {
      setBusy(false);
    }
  }

  // After "back" from a result: the order we paid on may still be on the cashbox (a pending or
  // partial payment leaves it there), so show it again, on the same merchant order (a new scan of a
  // legacy order would open another one); anything else is shown as a fresh poll finds it.
  function comeBack(key) {
    view.returning = false;
    view.shownKey = key;
    if (key === null) return showWaiting();
    if (key === view.paidKey && view.moId !== null) return show("order");
    return scan();
  }

  function onAction(action) {
    if (action === "retry") {
      show("order"); // the merchant order stays opened: pay it again, no new scan
    } else if (view.screen === "error") {
      view.shownKey = undefined;
      show("loading");
    } else {
      view.returning = true;
      show("loading");
    }
    exclusive(sync).catch(() => {});
  }

  async function loop() {
    try {
      await exclusive(sync);
      app.classList.remove("offline");
    } catch (err) {
      app.classList.add("offline");
    }
    setTimeout(loop, cfg.pollMs);
  }

  app.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || button.disabled) return;
    if (button.dataset.pay) onPay(button.dataset.pay);
    else if (button.dataset.action) onAction(button.dataset.action);
  });

  loop();
})();
