"""Judging a chaos run: every sale against Mercado Pago's truth (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from mpqr.chaos.scenarios import Tracked
from mpqr.chaos.truth import Truth

__all__ = ["Report", "judge"]


@dataclass
class Report:
    """What ``mpqr chaos`` prints. The run passes when nothing is lost, orphaned, applied twice
    or wrong, and every sale converged."""

    integration: str
    database: str
    sales: int = 0
    converged: int = 0
    lost: int = 0  # sales the server told us about and no longer has, or money nobody holds
    orphan_orders: int = 0  # orders on a cashbox whose reference no live sale owns
    orphan_samples: int = 0  # invariant samples taken during the run
    unmatched_expected: int = 0
    unmatched_found: int = 0
    unmatched_unrefunded: int = 0  # found, refund asked, not yet given back
    double_applied: int = 0  # money that moved twice (two refunds, a second charge)
    wrong_amounts: int = 0
    seconds_to_converge: float | None = None
    kills: int = 0
    crash_points_fired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)  # what the invariant samples caught
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.sales > 0
            and self.converged == self.sales
            and not (self.lost or self.orphan_orders or self.double_applied or self.wrong_amounts)
            and self.unmatched_found == self.unmatched_expected
            and not self.unmatched_unrefunded
        )

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def render(self) -> str:
        pct = 100.0 * self.converged / self.sales if self.sales else 0.0
        took = "never" if self.seconds_to_converge is None else f"{self.seconds_to_converge:.1f} s"
        lines = [
            f"mpqr chaos — {self.integration} on {self.database}",
            f"  sales                {self.sales}",
            f"  converged            {self.converged} ({pct:.1f} %)",
            f"  lost                 {self.lost}",
            f"  orphan orders        {self.orphan_orders} (in {self.orphan_samples} samples)",
            f"  unmatched payments   {self.unmatched_found} found of {self.unmatched_expected}"
            f" ({self.unmatched_unrefunded} not refunded yet)",
            f"  double-applied       {self.double_applied}",
            f"  wrong amounts        {self.wrong_amounts}",
            f"  time to converge     {took}",
            f"  kills (SIGKILL)      {self.kills}",
            f"  crash points fired   {', '.join(self.crash_points_fired) or 'none'}",
            f"  result               {'PASS' if self.ok else 'FAIL'}",
        ]
        lines += [f"  ! {p}" for p in (self.orphans + self.problems)[:20]]
        lines += [f"  - {n}" for n in self.notes[:20]]
        return "\n".join(lines)


def judge(
    report: Report,
    tracked: Iterable[Tracked],
    sales: Mapping[str, Mapping[str, Any]],
    truth: Truth,
    unmatched: Iterable[Mapping[str, Any]],
    rogue: Iterable[str],
) -> Report:
    """Fill ``report`` from the run's records, the server's sales (by id) and the truth."""
    report.sales = report.converged = report.lost = report.wrong_amounts = 0
    report.double_applied = 0
    report.problems = []
    for t in tracked:
        report.sales += 1
        sale = sales.get(t.sale_id)
        if sale is None:
            report.lost += 1
            report.problems.append(f"{t.sale_id} ({t.scenario}) is gone from the server")
            continue
        _money(report, t, sale, truth)
        problem = _unsettled(t, sale)
        if problem is None:
            report.converged += 1
        else:
            report.problems.append(f"{t.sale_id} ({t.scenario}): {problem}")
    _unmatched(report, unmatched, rogue, truth)
    _unowned_money(report, sales, truth, set(rogue))
    return report


def _money(report: Report, t: Tracked, sale: Mapping[str, Any], truth: Truth) -> None:
    paid, refunded = truth.paid_for(t.reference), truth.refunded_for(t.reference)
    if paid > t.paid:
        report.double_applied += 1
        report.problems.append(
            f"{t.reference}: Mercado Pago took {paid}, the customer gave {t.paid}"
        )
    if refunded > t.refund_asked:
        report.double_applied += 1
        report.problems.append(f"{t.reference}: refunded {refunded}, asked {t.refund_asked}")
    if (Decimal(sale["paid_amount"]), Decimal(sale["refunded_amount"])) != (paid, refunded):
        report.wrong_amounts += 1
        report.problems.append(
            f"{t.sale_id}: server {sale['paid_amount']}/{sale['refunded_amount']}, "
            f"Mercado Pago {paid}/{refunded}"
        )


def _unsettled(t: Tracked, sale: Mapping[str, Any]) -> str | None:
    if sale["status"] != t.expect:
        return f"status {sale['status']}, expected {t.expect}"
    if sale.get("in_progress"):
        return f"still in progress: {sale['in_progress']}"
    missing = t.alerts - set(sale.get("alerts", []))
    if missing:
        return f"alerts {sorted(missing)} missing"
    return None


def _unmatched(
    report: Report, unmatched: Iterable[Mapping[str, Any]], rogue: Iterable[str], truth: Truth
) -> None:
    expected = set(rogue)
    found = {str(p.get("external_reference")) for p in unmatched}
    report.unmatched_expected = len(expected)
    report.unmatched_found = len(expected & found)
    for reference in expected - found:
        report.problems.append(f"unmatched payment {reference} was never found")


def _unowned_money(
    report: Report, sales: Mapping[str, Mapping[str, Any]], truth: Truth, rogue: set[str]
) -> None:
    """Money at Mercado Pago for a reference that is neither a sale nor a known rogue order."""
    owned = {str(s["external_reference"]) for s in sales.values()} | rogue
    for reference, amount in truth.paid.items():
        if amount > 0 and reference not in owned:
            report.lost += 1
            report.problems.append(f"{amount} paid for {reference!r}, which nothing holds")
