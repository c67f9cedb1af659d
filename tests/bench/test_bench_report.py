"""The goals: which figure each reads, when it is met, and how a missing figure shows."""

from __future__ import annotations

import json
import math

from mpqr.bench.report import GOALS, KEYS, evaluate, nested, rows, to_json, to_markdown


def _figures(**overrides: float | None) -> dict[str, float | None]:
    good: dict[str, float | None] = {
        "client.official_sdk_calls_per_s": 700,
        "client.raw_urllib3_calls_per_s": 4000,
        "client.raw_aiohttp32_calls_per_s": 9000,
        "client.sync_calls_per_s": 3800,
        "client.async32_calls_per_s": 8500,
        "client.official_sdk_tls_calls_per_s": 80,
        "client.sync_tls_calls_per_s": 1200,
        "sandbox.ceiling_req_per_s": 3000,
        "sandbox.get_merchant_order_req_per_s": 1200,
        "sandbox.get_merchant_order_p99_ms": 9,
        "sandbox.ceiling_p99_ms": 6,
        "sandbox.ceiling_cpu_ms": 0.3,
        "sandbox.get_merchant_order_cpu_ms": 0.8,
        "sandbox.flows_per_s": 60,
        "sandbox.flow_ms_fresh": 10,
        "sandbox.flow_ms_after_history": 11,
        "seller.ceiling_req_per_s": 3000,
        "seller.ipn_ack_per_s": 1000,
        "seller.ipn_ack_p99_ms": 10,
        "seller.ipn_ack_per_s_pg": 900,
        "seller.ipn_ack_p99_ms_pg": 12,
        "seller.mp_create_p99_ms": 10,
        "seller.create_sale_per_s": 100,
        "seller.create_sale_p99_ms": 30,
        "seller.create_sale_p99_ms_10_in_flight": 90,
        "seller.create_sale_per_s_pg": 90,
        "seller.create_sale_p99_ms_pg": 35,
        "seller.create_sale_p99_ms_10_in_flight_pg": 100,
        "seller.pay_to_paid_p50_ms": 20,
        "seller.pay_to_paid_p99_ms": 60,
        "seller.reconcile_only_p99_ms": 1500,
        "scale.per_sale_ms_1k": 5,
        "scale.per_sale_ms_10k": 5.5,
        "scale.rss_growth_mb": 20,
        "scale.seller_cpu_ms_per_sale": 30,
        "scale.sandbox_cpu_ms_per_sale": 12,
        "scale.driver_cpu_ms_per_sale": 4,
    }
    return good | overrides


def _met(figures: dict[str, float | None]) -> dict[tuple[str, str], bool | None]:
    return {(r.goal.figure, r.goal.text): r.met for r in evaluate(figures)}


def test_every_goal_reads_a_reported_figure() -> None:
    assert {goal.figure for goal in GOALS} <= set(KEYS)


def test_all_goals_met_by_good_figures() -> None:
    assert all(_met(_figures()).values())


def test_client_goals_are_ratios_to_the_baselines() -> None:
    met = _met(_figures(**{"client.sync_calls_per_s": 3499}))  # 5 × 700 = 3500
    assert met[("client.sync_calls_per_s", "≥ 5 × official SDK")] is False
    assert met[("client.sync_calls_per_s", "≥ 0.9 × raw urllib3")] is False  # 3600
    met = _met(_figures(**{"client.async32_calls_per_s": 8099}))  # 0.9 × 9000 = 8100
    assert met[("client.async32_calls_per_s", "≥ 0.9 × raw aiohttp (32)")] is False
    assert met[("client.async32_calls_per_s", "≥ 10 × official SDK")] is True


def test_the_tls_gap_must_widen() -> None:
    # in clear 3800 / 700 = 5.43 ×; over TLS 430 / 80 = 5.375 × is narrower
    met = _met(_figures(**{"client.sync_tls_calls_per_s": 430}))
    assert met[("client.sync_tls_calls_per_s", "lead over the SDK wider than in clear")] is False


def test_sandbox_share_of_the_ceiling_and_its_tail() -> None:
    met = _met(
        _figures(
            **{
                "sandbox.get_merchant_order_req_per_s": 1049,
                "sandbox.get_merchant_order_p99_ms": 20,
            }
        )
    )
    assert met[("sandbox.get_merchant_order_req_per_s", "≥ 0.35 × ceiling")] is False
    assert met[("sandbox.get_merchant_order_p99_ms", "< 20 ms at half rate")] is False
    cpu = (
        "sandbox.get_merchant_order_cpu_ms",
        "≤ ceiling's ÷ 0.35 (the same goal in CPU per request)",
    )
    assert _met(_figures(**{"sandbox.get_merchant_order_cpu_ms": 0.86}))[cpu] is False


def test_growth_goals_allow_exactly_the_factor() -> None:
    met = _met(_figures(**{"scale.per_sale_ms_10k": 6.0}))  # 1.2 × 5
    assert met[("scale.per_sale_ms_10k", "≤ 1.2 × at 1k")] is True
    met = _met(_figures(**{"scale.per_sale_ms_10k": 6.01, "scale.rss_growth_mb": 50}))
    assert met[("scale.per_sale_ms_10k", "≤ 1.2 × at 1k")] is False
    assert met[("scale.rss_growth_mb", "< 50 MB")] is False


def test_a_missing_figure_leaves_its_goals_unjudged() -> None:
    figures = _figures(**{"seller.ceiling_req_per_s": None, "scale.rss_growth_mb": math.nan})
    met = _met(figures)
    assert met[("seller.ipn_ack_per_s", "≥ 0.3 × seller ceiling")] is None
    assert met[("scale.rss_growth_mb", "< 50 MB")] is None


def test_json_nests_every_key_and_lists_the_goals() -> None:
    figures = _figures(**{"seller.ipn_ack_per_s": None})
    document = json.loads(json.dumps(to_json(figures, evaluate(figures), {"command": "x"})))
    assert document["client"]["sync_calls_per_s"] == 3800
    assert document["seller"]["ipn_ack_per_s"] is None
    assert document["run"] == {"command": "x"}
    assert len(document["goals"]) == len(GOALS)
    flat = {f"{s}.{k}" for s, names in nested(figures).items() for k in names}
    assert flat == set(KEYS)


def test_markdown_puts_each_goal_next_to_its_figure() -> None:
    figures = _figures(**{"sandbox.get_merchant_order_p99_ms": 45.0})
    page = to_markdown(figures, evaluate(figures), {"machine": "2 cores"}, ["a note"])
    assert "- **machine:** 2 cores" in page
    assert "| `sandbox.get_merchant_order_p99_ms` | 45 | < 20 ms at half rate | NOT met |" in page
    assert "- a note" in page
    table = rows(figures, evaluate(figures))
    only_scale = {k: v for k, v in figures.items() if k.startswith("scale.")}
    assert {row[0] for row in rows(only_scale, evaluate(only_scale))} - {""} == set(only_scale)
    sync = [row for row in table if row[0] == "client.sync_calls_per_s"]
    assert sync[0][1] == "3,800"
    assert table[table.index(sync[0]) + 1][0] == ""  # its second goal on the next row


def test_sale_creation_may_add_mercado_pagos_own_latency() -> None:
    goal = ("seller.create_sale_p99_ms", "< 50 ms + MP latency, at half rate")
    assert _met(_figures(**{"seller.create_sale_p99_ms": 70}))[goal] is False
    with_mp = _figures(**{"seller.create_sale_p99_ms": 70, "seller.mp_create_p99_ms": 30})
    assert _met(with_mp)[goal] is True
