"""The goals and how ``mpqr bench`` shows its figures: a table, JSON, Markdown. No I/O but writing.

Figures are a flat ``{"section.name": value}`` dict (``None`` when a part could not be measured).
Each :class:`Goal` reads figures and says whether it is met (``None``: a figure it needs is
missing)::

    results = evaluate(figures)           # one GoalResult per goal, in GOALS order
    to_json(figures, results, meta)       # {"client": {...}, "sandbox": {...}, ..., "goals": [...]}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "GOALS",
    "KEYS",
    "Goal",
    "GoalResult",
    "evaluate",
    "nested",
    "to_json",
    "to_markdown",
]

Figures = Mapping[str, float | None]

KEYS: tuple[str, ...] = (
    "client.official_sdk_calls_per_s",
    "client.raw_urllib3_calls_per_s",
    "client.raw_aiohttp32_calls_per_s",
    "client.sync_calls_per_s",
    "client.async32_calls_per_s",
    "client.official_sdk_tls_calls_per_s",
    "client.sync_tls_calls_per_s",
    "sandbox.ceiling_req_per_s",
    "sandbox.get_merchant_order_req_per_s",
    "sandbox.get_merchant_order_p99_ms",
    "sandbox.ceiling_p99_ms",
    "sandbox.ceiling_cpu_ms",
    "sandbox.get_merchant_order_cpu_ms",
    "sandbox.flows_per_s",
    "sandbox.flow_ms_fresh",
    "sandbox.flow_ms_after_history",
    "seller.ceiling_req_per_s",
    "seller.ipn_ack_per_s",
    "seller.ipn_ack_p99_ms",
    "seller.ipn_ack_per_s_pg",
    "seller.ipn_ack_p99_ms_pg",
    "seller.mp_create_p99_ms",
    "seller.create_sale_per_s",
    "seller.create_sale_p99_ms",
    "seller.create_sale_p99_ms_10_in_flight",
    "seller.create_sale_per_s_pg",
    "seller.create_sale_p99_ms_pg",
    "seller.create_sale_p99_ms_10_in_flight_pg",
    "seller.pay_to_paid_p50_ms",
    "seller.pay_to_paid_p99_ms",
    "seller.reconcile_only_p99_ms",
    "scale.per_sale_ms_1k",
    "scale.per_sale_ms_10k",
    "scale.rss_growth_mb",
    "scale.seller_cpu_ms_per_sale",
    "scale.sandbox_cpu_ms_per_sale",
    "scale.driver_cpu_ms_per_sale",
)
"""Every figure ``mpqr bench`` reports, in the order of its table."""


Op = Literal[">=", "<", "<="]


@dataclass(frozen=True)
class Goal:
    """``figure`` ``op`` ``bound(figures)``, e.g. sync calls/s ``>=`` 5 × the SDK's."""

    figure: str
    text: str
    bound: Callable[[Figures], float | None]
    op: Op

    @property
    def relative(self) -> bool:
        """The target depends on other figures (the table then shows it)."""
        return getattr(self.bound, "__name__", "") != "fixed"

    def holds(self, value: float, target: float) -> bool:
        match self.op:
            case ">=":
                return value >= target
            case "<":
                return value < target
            case "<=":
                return value <= target


@dataclass(frozen=True)
class GoalResult:
    goal: Goal
    value: float | None
    target: float | None
    met: bool | None


def _times(factor: float, key: str) -> Callable[[Figures], float | None]:
    def bound(figures: Figures) -> float | None:
        value = figures.get(key)
        return None if value is None else factor * value

    return bound


def _fixed(limit: float) -> Callable[[Figures], float | None]:
    def fixed(figures: Figures) -> float | None:
        return limit

    return fixed


def _plus_mp(limit: float) -> Callable[[Figures], float | None]:
    """``limit`` plus Mercado Pago's own order-creation p99 (``seller.mp_create_p99_ms``: the
    sandbox's, measured under the same load; 0 when missing).
    """

    def plus_mp(figures: Figures) -> float | None:
        return limit + (figures.get("seller.mp_create_p99_ms") or 0.0)

    return plus_mp


def _tls_gap(figures: Figures) -> float | None:
    """The TLS figure the sync client needs so that its lead over the SDK is wider than in clear."""
    sync, sdk, sdk_tls = (
        figures.get("client.sync_calls_per_s"),
        figures.get("client.official_sdk_calls_per_s"),
        figures.get("client.official_sdk_tls_calls_per_s"),
    )
    if sync is None or not sdk or sdk_tls is None:
        return None
    return sync / sdk * sdk_tls


def _ceiling_share(figures: Figures) -> float | None:
    ceiling = figures.get("sandbox.ceiling_req_per_s")
    return None if ceiling is None else 0.35 * ceiling


SDK = "client.official_sdk_calls_per_s"
GOALS: tuple[Goal, ...] = (
    Goal("client.sync_calls_per_s", "≥ 5 × official SDK", _times(5, SDK), ">="),
    Goal(
        "client.sync_calls_per_s",
        "≥ 0.9 × raw urllib3",
        _times(0.9, "client.raw_urllib3_calls_per_s"),
        ">=",
    ),
    Goal("client.async32_calls_per_s", "≥ 10 × official SDK", _times(10, SDK), ">="),
    Goal(
        "client.async32_calls_per_s",
        "≥ 0.9 × raw aiohttp (32)",
        _times(0.9, "client.raw_aiohttp32_calls_per_s"),
        ">=",
    ),
    Goal("client.sync_tls_calls_per_s", "lead over the SDK wider than in clear", _tls_gap, ">="),
    Goal("sandbox.get_merchant_order_req_per_s", "≥ 0.35 × ceiling", _ceiling_share, ">="),
    Goal("sandbox.get_merchant_order_p99_ms", "< 20 ms at half rate", _fixed(20), "<"),
    Goal(
        "sandbox.get_merchant_order_cpu_ms",
        "≤ ceiling's ÷ 0.35 (the same goal in CPU per request)",
        _times(1 / 0.35, "sandbox.ceiling_cpu_ms"),
        "<=",
    ),
    Goal(
        "sandbox.flow_ms_after_history",
        "≤ 1.2 × fresh (no growth with history)",
        _times(1.2, "sandbox.flow_ms_fresh"),
        "<=",
    ),
    Goal(
        "seller.ipn_ack_per_s",
        "≥ 0.3 × seller ceiling",
        _times(0.3, "seller.ceiling_req_per_s"),
        ">=",
    ),
    Goal("seller.ipn_ack_p99_ms", "< 20 ms at half rate", _fixed(20), "<"),
    Goal("seller.ipn_ack_p99_ms_pg", "< 20 ms at half rate", _fixed(20), "<"),
    Goal("seller.create_sale_p99_ms", "< 50 ms + MP latency, at half rate", _plus_mp(50), "<"),
    Goal("seller.create_sale_p99_ms_pg", "< 50 ms + MP latency, at half rate", _plus_mp(50), "<"),
    Goal("seller.pay_to_paid_p99_ms", "< 100 ms", _fixed(100), "<"),
    Goal("seller.reconcile_only_p99_ms", "< 3 s", _fixed(3000), "<"),
    Goal("scale.per_sale_ms_10k", "≤ 1.2 × at 1k", _times(1.2, "scale.per_sale_ms_1k"), "<="),
    Goal("scale.rss_growth_mb", "< 50 MB", _fixed(50), "<"),
)


def _usable(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def evaluate(figures: Figures) -> list[GoalResult]:
    """Each goal against ``figures``; ``met`` is ``None`` where a figure is missing."""
    results = []
    for goal in GOALS:
        value, target = figures.get(goal.figure), goal.bound(figures)
        met: bool | None = None
        if value is not None and target is not None and _usable(value) and _usable(target):
            met = goal.holds(value, target)
        results.append(GoalResult(goal, value, target, met))
    return results


def nested(figures: Figures) -> dict[str, dict[str, float | None]]:
    """``{"client.x": 1}`` → ``{"client": {"x": 1}}``."""
    tree: dict[str, dict[str, float | None]] = {}
    for key, value in figures.items():
        section, _, name = key.partition(".")
        tree.setdefault(section, {})[name] = value
    return tree


def to_json(figures: Figures, results: list[GoalResult], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The ``--json`` document: nested figures (every key in :data:`KEYS`), goals, run details."""
    complete = {key: figures.get(key) for key in KEYS} | dict(figures)
    goals = [
        {
            "figure": r.goal.figure,
            "goal": r.goal.text,
            "value": r.value,
            "target": r.target,
            "met": r.met,
        }
        for r in results
    ]
    return {**nested(complete), "goals": goals, "run": dict(meta)}


def number(value: float | None) -> str:
    """A figure as the table shows it: 3 significant digits at least, thousands separated."""
    if value is None or math.isnan(value):
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 1 else f"{value:.3f}"


def mark(met: bool | None) -> str:
    return "—" if met is None else "met" if met else "NOT met"


def rows(figures: Figures, results: list[GoalResult]) -> list[tuple[str, str, str, str]]:
    """(figure, value, goal, met) per figure measured (all of them when ``figures`` is empty),
    each goal on the row of its figure."""
    by_figure: dict[str, list[GoalResult]] = {}
    for result in results:
        by_figure.setdefault(result.goal.figure, []).append(result)
    table = []
    shown_keys = [key for key in KEYS if key in figures] if figures else list(KEYS)
    for key in [*shown_keys, *(k for k in figures if k not in KEYS)]:
        value = number(figures.get(key))
        goals = by_figure.get(key) or []
        if not goals:
            table.append((key, value, "", ""))
        for index, result in enumerate(goals):
            shown = result.target is not None and result.goal.relative
            target = f" ({number(result.target)})" if shown else ""
            table.append(
                (
                    key if index == 0 else "",
                    value if index == 0 else "",
                    result.goal.text + target,
                    mark(result.met),
                )
            )
    return table


METHOD = """## How it is measured

`mpqr bench` (src/mpqr/bench/) starts everything on 127.0.0.1, each server in its own process and
the load in others (src/mpqr/bench/loadgen.py: aiohttp, fixed concurrency or fixed rate with
latencies counted from each request's scheduled time). Every figure is a median of interleaved
slices, so a burst of other work on the machine does not land on one figure only; ratios mean more
than absolute numbers, and on a busy machine a ratio of two rates is squeezed towards 1 (both
sides then wait for the same core). The `*_cpu_ms` figures, CPU time of the server process per
request, do not suffer from that.

- **client**: each client fetches a merchant order from a canned raw-asyncio server
  (src/mpqr/bench/canned.py); the baselines send the request and decode the JSON, mpqr's clients
  also check the status and build a typed model. TLS: the same over HTTPS with a throwaway
  certificate.
- **sandbox**: `mpqr sandbox` as a user runs it, against a bare Starlette app on uvicorn with the
  same settings answering the same merchant-order body (src/mpqr/bench/ceiling.py), 32 requests
  in flight; the p99 at a fixed rate of half what the sandbox sustained. A flow
  (src/mpqr/bench/flows.py) puts an order on a cashbox, scans, pays and ends when the payment's
  notification reaches the driver's receiver, 16 cashboxes at once; a flow's cost (one cashbox,
  ending with the searches a seller reconciles with) is measured on a fresh sandbox and on one
  with 3,000 flows behind it, in alternating slices of 40 flows.
- **seller** and **scale**: the seller server (src/mpqr/bench/seller.py,
  src/mpqr/bench/scale.py) on SQLite and on PostgreSQL.

Run `mpqr bench --quick` for a smoke run (about a minute) and
`mpqr bench --json FILE --markdown FILE` for the full one.
"""


def to_markdown(
    figures: Figures,
    results: list[GoalResult],
    meta: Mapping[str, Any],
    notes: Sequence[str] = (),
) -> str:
    """A Markdown page: how it was run, then the table and any notes."""
    lines = ["# Benchmarks", ""]
    lines += [f"- **{name}:** {value}" for name, value in meta.items()]
    lines += ["", "| Figure | Value | Goal (target) | Met |", "|---|---:|---|---|"]
    lines += [
        f"| `{k}` | {v} | {g} | {m} |" if k else f"| | | {g} | {m} |"
        for k, v, g, m in rows(figures, results)
    ]
    met = sum(1 for r in results if r.met)
    missed = sum(1 for r in results if r.met is False)
    lines += ["", f"{met} goals met, {missed} not met, {len(results) - met - missed} not measured."]
    lines += ["", *(f"- {note}" for note in notes)] if notes else []
    return "\n".join([*lines, "", METHOD])
