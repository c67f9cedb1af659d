"""``mpqr sandbox parity``: replay traffic recorded against Mercado Pago on a fresh sandbox.

The file is what ``Client(..., record_to=...)`` writes (:mod:`mpqr.client.recording`). Each
recorded call is sent, in order, to a new in-process sandbox as its seller, with the ids Mercado
Pago gave out replaced by the ones the sandbox gave out for the same things (:class:`IdMap`). The
customer's payments, which no call of the seller makes, are made through the control plane just
before the first recorded answer that shows them (:meth:`Replayer.customer_pays`). Each pair of
answers is then compared (:mod:`mpqr.sandbox.parity_compare`): status code, field names, JSON
types and the values of status-like fields; ids and dates by shape only.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click

from mpqr.client.recording import MASK, mask_personal
from mpqr.sandbox.parity_compare import Difference, compare, is_id
from mpqr.sandbox.testing import Sandbox

__all__ = [
    "CallResult",
    "Exchange",
    "IdMap",
    "Replayer",
    "command",
    "load_traffic",
    "run_parity",
]

_DROPPED_HEADERS = frozenset(
    {"authorization", "content-length", "host", "user-agent", "accept-encoding", "connection"}
)
_PAY_STATUS = {"rejected": "rejected", "failed": "rejected", "pending": "pending"}
_PAY_STATUS |= {"in_process": "in_process", "action_required": "pending"}


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One recorded call and Mercado Pago's answer."""

    index: int
    ts: datetime | None
    method: str
    path: str
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any
    status: int
    response: Any


def load_traffic(path: str | Path) -> list[Exchange]:
    """Parse a ``record_to`` file; raise ``ValueError`` naming the first bad line."""
    out: list[Exchange] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            ts = datetime.fromisoformat(raw["ts"]) if raw.get("ts") else None
            method, target, status = (
                str(raw["method"]).upper(),
                str(raw["path"]),
                int(raw["status"]),
            )
            query, headers = dict(raw.get("query") or {}), dict(raw.get("request_headers") or {})
            body, answer = raw.get("request_body"), raw.get("response_body")
            out.append(
                Exchange(len(out) + 1, ts, method, target, query, headers, body, status, answer)
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {number}: not a recorded exchange ({exc})") from None
    return out


# --- ids ---------------------------------------------------------------------------------------


@dataclass
class IdMap:
    """Mercado Pago's ids → the sandbox's ids for the same things, learnt as the replay goes."""

    ids: dict[str, Any] = field(default_factory=dict)

    def add(self, recorded: Any, sandbox: Any) -> None:
        if recorded not in (None, "", MASK) and sandbox not in (None, "") and recorded != sandbox:
            self.ids.setdefault(str(recorded), sandbox)

    def learn(self, recorded: Any, sandbox: Any, key: str = "") -> None:
        """Pair the ids found at the same places of two answers."""
        if isinstance(recorded, dict) and isinstance(sandbox, dict):
            for name in recorded.keys() & sandbox.keys():
                self.learn(recorded[name], sandbox[name], name)
        elif isinstance(recorded, list) and isinstance(sandbox, list):
            for r, b in zip(recorded, sandbox, strict=False):
                self.learn(r, b, key)
        elif is_id(key) and not isinstance(recorded, dict | list):
            self.add(recorded, sandbox)

    def path(self, path: str) -> str:
        return "/".join(str(self.ids.get(part, part)) for part in path.split("/"))

    def body(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.body(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v, key) for v in value]
        if is_id(key) and str(value) in self.ids:
            return self.ids[str(value)]
        return value


# --- replay (I/O) ------------------------------------------------------------------------------


@dataclass
class CallResult:
    index: int
    method: str
    path: str
    recorded_status: int
    sandbox_status: int
    differences: list[Difference]


@dataclass
class _Payment:
    id: str
    status: str
    amount: Any
    external_reference: Any
    merchant_order_id: Any = None


def recorded_payments(body: Any) -> Iterator[_Payment]:
    """The payments an answer shows: in merchant orders, payments, and Orders API orders."""
    if isinstance(body, list):
        for item in body:
            yield from recorded_payments(item)
    if not isinstance(body, dict):
        return
    ref = body.get("external_reference")
    if isinstance(body.get("payments"), list) and "total_amount" in body:  # a merchant order
        for p in body["payments"]:
            if isinstance(p, dict) and p.get("id") is not None:
                amount = p.get("transaction_amount")
                yield _Payment(str(p["id"]), str(p.get("status")), amount, ref, body.get("id"))
    elif isinstance(body.get("transactions"), dict):  # an Orders API order
        for p in body["transactions"].get("payments") or []:
            if isinstance(p, dict) and p.get("reference_id") is not None:
                amount = p.get("paid_amount") or p.get("amount")
                yield _Payment(str(p["reference_id"]), str(p.get("status")), amount, ref)
    elif "transaction_amount" in body and body.get("id") is not None:  # a payment
        order = body.get("order")
        order = order if isinstance(order, dict) else {}
        amount = body["transaction_amount"]
        yield _Payment(str(body["id"]), str(body.get("status")), amount, ref, order.get("id"))
    for key in ("elements", "results"):
        yield from recorded_payments(body.get(key))


class Replayer:
    """Replays exchanges on a started :class:`Sandbox` and compares the answers."""

    def __init__(self, sandbox: Sandbox, user_id: str | None) -> None:
        assert sandbox.seller is not None
        self.sandbox = sandbox
        self.seller = sandbox.seller
        self.ids = IdMap()
        if user_id is not None:
            self.ids.add(user_id, self.seller.id)
        self.placements: dict[str, dict[str, Any]] = {}  # external_reference → /_sandbox selector
        self.seen_payments: set[str] = set()
        self.notes: list[str] = []

    def send(self, method: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(  # noqa: S310 - our own sandbox on 127.0.0.1
            self.sandbox.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        try:
            return status, json.loads(raw) if raw.strip() else None
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def run(self, exchanges: list[Exchange]) -> list[CallResult]:
        results, last = [], None
        for ex in exchanges:
            if (
                last is not None
                and ex.ts is not None
                and (gap := (ex.ts - last).total_seconds()) > 1
            ):
                self.sandbox.advance(gap)  # expiry and the like happen as they did
            last = ex.ts or last
            self.customer_pays(ex)
            results.append(self.replay(ex))
        return results

    def replay(self, ex: Exchange) -> CallResult:
        path = self.ids.path(ex.path)
        query = {k: self.ids.body(v, k) for k, v in ex.query.items()}
        target = path + ("?" + urlencode(query, doseq=True) if query else "")
        headers = {k: v for k, v in ex.headers.items() if k.lower() not in _DROPPED_HEADERS}
        headers |= self.seller.auth_headers | {"Content-Type": "application/json"}
        body = self.ids.body(ex.body)
        status, answer = self.send(ex.method, target, body, headers)
        answer = mask_personal(answer)
        self.ids.learn(ex.response, answer)
        self._remember_placement(ex.method, path, body, answer)
        diffs = compare(ex.status, ex.response, status, answer)
        return CallResult(ex.index, ex.method, target, ex.status, status, diffs)

    def _remember_placement(self, method: str, path: str, body: Any, answer: Any) -> None:
        """Which QR the customer scans for an order the seller just put up."""
        if method not in ("POST", "PUT") or not isinstance(body, dict):
            return
        ref = body.get("external_reference")
        qr = body.get("config", {}).get("qr", {}) if isinstance(body.get("config"), dict) else {}
        pos = qr.get("external_pos_id") if isinstance(qr, dict) else None
        if pos is None and ("/instore/" in path or path.startswith("/mpmobile/")):
            parts = path.split("/")
            pos = parts[parts.index("pos") + 1] if "pos" in parts else parts[-1]
        data = answer.get("qr_data") if isinstance(answer, dict) else None
        if isinstance(answer, dict) and isinstance(answer.get("type_response"), dict):
            data = answer["type_response"].get("qr_data")
        if ref is not None and (pos is not None or data is not None):
            selector = {"qr_data": data} if data else {"user_id": self.seller.id}
            self.placements[str(ref)] = selector | ({} if data else {"external_pos_id": pos})

    def customer_pays(self, ex: Exchange) -> None:
        """Before a call whose recorded answer shows a new payment, the customer makes it."""
        for p in recorded_payments(ex.response):
            if p.id in self.seen_payments:
                continue
            self.seen_payments.add(p.id)
            selector = self.placements.get(str(p.external_reference))
            if selector is None and str(p.merchant_order_id) in self.ids.ids:
                selector = {"merchant_order_id": self.ids.ids[str(p.merchant_order_id)]}
            if selector is None:
                self.notes.append(f"#{ex.index}: payment {p.id}: its order is not in the recording")
                continue
            body = selector | {"status": _PAY_STATUS.get(p.status, "approved"), "amount": p.amount}
            status, made = self.sandbox.request("POST", "/_sandbox/pay", body, auth=False)
            if status != 201:
                self.notes.append(f"#{ex.index}: payment {p.id} could not be replayed: {made}")
                continue
            self.ids.add(p.id, made["payment"]["id"])
            self.ids.add(p.merchant_order_id, made["merchant_order"]["id"])


def recorded_user_id(exchanges: list[Exchange]) -> str | None:
    """The seller's user id: from ``/users/me``, else from a path that carries it."""
    for ex in exchanges:
        if ex.path == "/users/me" and isinstance(ex.response, dict) and "id" in ex.response:
            return str(ex.response["id"])
    pattern = re.compile(r"/(?:users|collectors|mpmobile/instore/qr)/(\d+)(?:/|$)")
    return next((m.group(1) for ex in exchanges if (m := pattern.search(ex.path))), None)


def recorded_site(exchanges: list[Exchange]) -> str:
    for ex in exchanges:
        site = ex.response.get("site_id") if isinstance(ex.response, dict) else None
        if isinstance(site, str):
            return site
    return "MLA"


# --- report and command ----------------------------------------------------------------------


def report_text(results: list[CallResult], notes: list[str]) -> str:
    bad = [r for r in results if r.differences]
    lines = [f"{len(results)} calls replayed on a fresh sandbox; {len(bad)} with differences"]
    for r in bad:
        statuses = f"recorded {r.recorded_status}, sandbox {r.sandbox_status}"
        lines.append(f"#{r.index} {r.method} {r.path}  ({statuses})")
        for d in r.differences:
            detail = {"missing": f"recorded: {d.recorded}", "extra": f"sandbox: {d.sandbox}"}
            text = detail.get(d.kind, f"recorded: {d.recorded!r}, sandbox: {d.sandbox!r}")
            lines.append(f"   {d.kind:<8} {d.path or '(status)':<44} {text}")
    lines += [f"note {n}" for n in notes]
    return "\n".join(lines)


def report_json(results: list[CallResult], notes: list[str]) -> str:
    calls = [asdict(r) for r in results]
    bad = sum(1 for r in results if r.differences)
    return json.dumps({"calls": calls, "with_differences": bad, "notes": notes}, indent=2)


def run_parity(path: str | Path, site_id: str | None = None) -> tuple[list[CallResult], list[str]]:
    """Replay ``path`` on a fresh in-process sandbox; the per-call results and replay notes."""
    exchanges = load_traffic(path)
    with Sandbox(seed=0, site_id=site_id or recorded_site(exchanges)) as sandbox:
        replayer = Replayer(sandbox, recorded_user_id(exchanges))
        return replayer.run(exchanges), replayer.notes


@click.command("parity")
@click.argument("traffic", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@click.option("--site", "site_id", default=None, help="Site of the sandbox seller (default: read).")
def command(traffic: str, as_json: bool, site_id: str | None) -> None:
    """Replay TRAFFIC (written by Client(record_to=...)) on a fresh sandbox and list differences.

    Exit status 0 when every answer matches, 1 otherwise.
    """
    try:
        results, notes = run_parity(traffic, site_id)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="TRAFFIC") from None
    click.echo(report_json(results, notes) if as_json else report_text(results, notes))
    raise SystemExit(1 if any(r.differences for r in results) else 0)
