// The seed's flow with the official Mercado Pago Node SDK against `mpqr sandbox`.
// Usage: node seed_flow.cjs <sandbox base URL> <access token> <user id>; prints one JSON line.
//
// The Node SDK sends every call through the global fetch() to https://api.mercadopago.com; the
// documented way to point it at the sandbox is to wrap fetch (docs/sandbox.md, "The official SDKs").
// The SDK has no in-store QR resources (stores, POS, /mpmobile orders): those calls use fetch.
"use strict";

const http = require("node:http");
const { MercadoPagoConfig, MerchantOrder } = require("mercadopago");

const [base, token, userId] = process.argv.slice(2);
const MP = "https://api.mercadopago.com";
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) =>
  realFetch(String(url).startsWith(MP) ? base + String(url).slice(MP.length) : url, init);

async function api(method, path, body) {
  const response = await fetch(MP + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function receiver() {
  const seen = [];
  let wake = () => {};
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => { raw += chunk; });
    req.on("end", () => {
      seen.push({ url: req.url, body: raw ? JSON.parse(raw) : null });
      res.writeHead(200).end();
      wake();
    });
  });
  const next = (test, ms) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no notification in time")), ms);
    const check = () => {
      const found = seen.find(test);
      if (found) { clearTimeout(timer); resolve(found); }
    };
    wake = check;
    check();
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, seen, next, port: server.address().port })));
}

async function main() {
  const client = new MercadoPagoConfig({ accessToken: token });
  const orders = new MerchantOrder(client);
  const hook = await receiver();
  const out = {};
  const store = await api("POST", `/users/${userId}/stores`, { name: "Node", external_id: "NODE1", location: {} });
  const pos = await api("POST", "/pos", { name: "Caja Node", fixed_amount: true, external_store_id: "NODE1", external_id: "NODECAJA" });
  out.created = [store.status, pos.status];
  const ref = `node-${Date.now()}`;
  const order = {
    external_reference: ref,
    notification_url: `http://127.0.0.1:${hook.port}/mp?source_news=ipn`,
    items: [{ title: "Mate", currency_id: "ARS", unit_price: 150.5, quantity: 2 }],
  };
  out.put = (await api("POST", `/mpmobile/instore/qr/${userId}/NODECAJA`, order)).status;
  const pay = await realFetch(`${base}/_sandbox/pay`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ pos_id: pos.body.id, card_number: "5031 7557 3453 0604", cardholder_name: "APRO" }),
  });
  out.paid = pay.status;
  const ipn = await hook.next((n) => n.url.includes("topic=merchant_order") && n.body, 15000);
  out.ipn_resource = ipn.body.resource;
  const moId = Number(ipn.body.resource.split("/").pop());
  const mo = await orders.get({ merchantOrderId: moId });
  out.merchant_order = { id: mo.id, status: mo.status, order_status: mo.order_status };
  const found = await orders.search({ options: { external_reference: ref } });
  out.search_total = found.total;
  await api("POST", `/mpmobile/instore/qr/${userId}/NODECAJA`, { ...order, external_reference: `${ref}-2` });
  out.deleted = (await api("DELETE", `/mpmobile/instore/qr/${userId}/NODECAJA`)).status;
  const none = await orders.search({ options: { external_reference: "no-such-reference" } });
  out.no_match_elements = none.elements;
  hook.server.close();
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : JSON.stringify(err));
  process.exit(1);
});
