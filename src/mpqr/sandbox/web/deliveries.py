"""The dashboard's notification deliveries, attempt by attempt, built without I/O.

The input is a ``GET /_sandbox/notifications`` element. Each delivery shows what was sent (the URL,
the JSON payload) and each attempt: when (virtual time), whether it was a scheduled try, a resend or
a duplicate copy, the request headers, and the answer (status, latency, the start of the response,
or the error). The headers are rebuilt with the outbox's own :func:`build_request`, from the
attempt's ``x-request-id`` and time and the seller's webhook secret, so the ``x-signature`` shown is
the one that was sent. An attempt that fault injection dropped sent nothing and shows no headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from mpqr.sandbox.delivery.model import Delivery
from mpqr.sandbox.delivery.request import build_request
from mpqr.sandbox.web.formatting import short_time

__all__ = ["AttemptRow", "DeliveryRow", "SecretFor", "delivery_rows"]

LIMIT: Final = 50  # newest deliveries shown
SecretFor = Callable[[int], str | None]  # seller id -> webhook secret (None: unsigned)
Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AttemptRow:
    number: int
    at: str
    kind: str  # "scheduled", "resend" or "duplicate copy"
    ok: bool
    answer: str  # "HTTP 200", or what went wrong
    latency: str
    response: str
    headers: tuple[tuple[str, str], ...]  # empty: nothing was sent


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    id: int
    url: str
    form: str
    type: str
    resource_id: str
    action: str
    state: str
    signed: bool
    attempts: int
    last_result: str
    created_at: str
    first_attempt_at: str
    next_attempt_at: str
    payload: str  # the JSON body, indented
    attempt_rows: tuple[AttemptRow, ...]


def _last_result(attempts: Sequence[Json]) -> str:
    if not attempts:
        return ""
    last = attempts[-1]
    if last.get("status_code") is not None:
        return f"HTTP {last['status_code']}"
    return str(last.get("error") or "")[:80]


def _kind(attempt: Json) -> str:
    if attempt.get("duplicate"):
        return "duplicate copy"
    return "resend" if attempt.get("manual") else "scheduled"


def _answer(attempt: Json) -> tuple[bool, str]:
    status, error = attempt.get("status_code"), attempt.get("error")
    if status is not None:
        text = f"HTTP {status}"
        return status in (200, 201), f"{text} ({error})" if error and status not in (
            200,
            201,
        ) else text
    return False, str(error or "no answer")


def _headers(
    delivery: Delivery | None, attempt: Json, secret: str | None
) -> tuple[tuple[str, str], ...]:
    """The request headers of one attempt, as the outbox built them (none if nothing was sent)."""
    request_id, at = attempt.get("request_id"), attempt.get("at")
    if delivery is None or not request_id or not isinstance(at, str):
        return ()
    request = build_request(
        delivery, request_id=request_id, at=datetime.fromisoformat(at), secret=secret
    )
    return tuple(request.headers.items())


def _record(d: Json) -> Delivery | None:
    """The outbox's record back from its JSON, or None when the dict is not a whole record."""
    try:
        return Delivery.from_dict(dict(d))
    except (KeyError, TypeError, ValueError):
        return None


def _attempt_rows(d: Json, secret: str | None) -> tuple[AttemptRow, ...]:
    record = _record(d)
    rows = []
    for number, attempt in enumerate(d.get("attempts") or (), start=1):
        ok, answer = _answer(attempt)
        latency = attempt.get("latency_ms")
        rows.append(
            AttemptRow(
                number=number,
                at=short_time(attempt.get("at")),
                kind=_kind(attempt),
                ok=ok,
                answer=answer,
                latency=f"{latency:.0f} ms" if isinstance(latency, int | float) else "",
                response=str(attempt.get("response_excerpt") or ""),
                headers=_headers(record, attempt, secret),
            )
        )
    return tuple(rows)


def _row(d: Json, secret_for: SecretFor) -> DeliveryRow:
    attempts = d.get("attempts") or ()
    seller_id = d.get("seller_id")
    secret = secret_for(seller_id) if isinstance(seller_id, int) else None
    return DeliveryRow(
        id=d["id"],
        url=d["url"],
        form=d["form"],
        type=d["type"],
        resource_id=d["resource_id"],
        action=str(d.get("action") or ""),
        state=d["state"],
        signed=bool(d.get("signed")),
        attempts=len(attempts),
        last_result=_last_result(attempts),
        created_at=short_time(d.get("created_at")),
        first_attempt_at=short_time(d.get("first_attempt_at")),
        next_attempt_at=short_time(d.get("next_attempt_at")),
        payload=json.dumps(d.get("body") or {}, indent=2, ensure_ascii=False),
        attempt_rows=_attempt_rows(d, secret),
    )


def delivery_rows(deliveries: Sequence[Json], secret_for: SecretFor) -> list[DeliveryRow]:
    """The newest :data:`LIMIT` deliveries, newest first, with their attempts."""
    newest = sorted(deliveries, key=lambda d: d["id"], reverse=True)[:LIMIT]
    return [_row(d, secret_for) for d in newest]
