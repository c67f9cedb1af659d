"""Prometheus metrics, one registry per app (two apps in one process never share counters)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics"]


@dataclass(frozen=True)
class Metrics:
    """The seller's counters. ``reconcile_corrections`` > 0 means a notification was missed."""

    registry: CollectorRegistry
    received: Counter
    duplicates: Counter
    signature_failed: Counter
    processed: Counter
    failed: Counter
    reconcile_corrections: Counter
    payment_to_paid: Histogram
    unmatched: Counter
    recovered: Counter
    inbox: Gauge

    @classmethod
    def create(cls) -> Metrics:
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            received=Counter("mpqr_notifications_received", "Notifications received", registry=reg),
            duplicates=Counter(
                "mpqr_notifications_duplicates", "Notifications already in the inbox", registry=reg
            ),
            signature_failed=Counter(
                "mpqr_notifications_signature_failed", "Bad x-signature (401)", registry=reg
            ),
            processed=Counter(
                "mpqr_notifications_processed", "Notifications processed", registry=reg
            ),
            failed=Counter(
                "mpqr_notifications_failed", "Notification processing attempts failed", registry=reg
            ),
            reconcile_corrections=Counter(
                "mpqr_reconcile_corrections", "Sale changes found by the reconciler", registry=reg
            ),
            payment_to_paid=Histogram(
                "mpqr_payment_to_paid_seconds",
                "From payment approval at Mercado Pago to the sale marked paid",
                buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900),
                registry=reg,
            ),
            unmatched=Counter(
                "mpqr_unmatched_payments", "Payments whose reference owns no sale", registry=reg
            ),
            recovered=Counter(
                "mpqr_recovered_intents",
                "Creates, cancels and refunds finished by recovery",
                registry=reg,
            ),
            inbox=Gauge(
                "mpqr_inbox_notifications",
                "Notifications in the inbox by state (received: waiting to be processed)",
                ["state"],
                registry=reg,
            ),
        )

    def set_inbox(self, counts: Mapping[str, int], states: tuple[str, ...]) -> None:
        """The inbox gauge from ``counts`` (state → rows); ``states`` missing there are 0."""
        for state in states:
            self.inbox.labels(state=state).set(counts.get(state, 0))

    def render(self) -> bytes:
        return bytes(generate_latest(self.registry))
