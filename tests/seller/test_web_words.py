"""Every code the cashier can meet has words in Spanish, Portuguese and English: each error
reason, sale status (including the write-ahead ``opening`` and ``failed``), alert, payment status
and every payment ``status_detail`` Mercado Pago documents; rejections and payments in process
also say what to tell the customer."""

from __future__ import annotations

import re

import pytest

from mpqr.seller.errors import Reason
from mpqr.seller.sales.rules import Alert, SaleStatus
from mpqr.seller.web import i18n
from mpqr.seller.web.i18n_payments import ADVISED, DETAILS
from mpqr.statuses import PaymentStatus

# Mercado Pago's documented payment status_detail values, by status ("Possible statuses of a
# payment" in the Payments API docs, plus the Orders API's transaction details)
DOCUMENTED = {
    "approved": ["accredited", "partially_refunded"],
    "authorized": ["pending_capture"],
    "in_process": ["offline_process", "pending_contingency", "pending_review_manual"],
    "pending": ["pending_waiting_payment", "pending_waiting_transfer", "pending_challenge"],
    "rejected": [
        "bank_error",
        "cc_rejected_3ds_mandatory",
        "cc_rejected_bad_filled_card_number",
        "cc_rejected_bad_filled_date",
        "cc_rejected_bad_filled_other",
        "cc_rejected_bad_filled_security_code",
        "cc_rejected_blacklist",
        "cc_rejected_call_for_authorize",
        "cc_rejected_card_disabled",
        "cc_rejected_card_error",
        "cc_rejected_duplicated_payment",
        "cc_rejected_high_risk",
        "cc_rejected_insufficient_amount",
        "cc_rejected_invalid_installments",
        "cc_rejected_max_attempts",
        "cc_rejected_other_reason",
        "cc_amount_rate_limit_exceeded",
        "rejected_by_bank",
        "rejected_by_regulations",
        "rejected_insufficient_data",
    ],
    "cancelled": ["expired", "by_collector", "by_payer", "canceled_by_api"],
    "refunded": ["refunded", "by_admin"],
    "charged_back": ["settled", "reimbursed"],
}
KEYS = (
    [f"reason_{r.value}" for r in Reason]
    + [f"status_{s.value}" for s in SaleStatus]
    + ["status_opening", "status_failed"]
    + [f"alert_{a.value}" for a in Alert]
    + [f"pay_{p.value}" for p in PaymentStatus]
    + [f"detail_{d}" for details in DOCUMENTED.values() for d in details]
    + [f"advice_{d}" for s in ("rejected", "in_process", "pending") for d in DOCUMENTED[s]]
)


@pytest.mark.parametrize("key", KEYS)
def test_every_code_has_words_in_every_language(key: str) -> None:
    assert key in i18n.ROWS, f"no translation for {key}"
    es, pt, en = i18n.ROWS[key]
    assert es.strip()
    assert pt.strip()
    assert en.strip()
    for lang in i18n.LANGUAGES:
        assert i18n.translator(lang).has(key)


def test_every_word_exists_in_every_language_and_placeholders_agree() -> None:
    for key, row in i18n.ROWS.items():
        assert len(row) == len(i18n.LANGUAGES), key
        fields = {frozenset(re.findall(r"{(\w+)}", text)) for text in row}
        assert len(fields) == 1, f"{key}: the languages use different placeholders"


def test_no_code_leaks_into_the_words() -> None:
    for key, row in i18n.ROWS.items():
        for text in row:
            assert not re.search(r"\b(cc_rejected|pending_|status_detail|items\[)", text), key


def test_the_tables_agree() -> None:
    documented = {d for details in DOCUMENTED.values() for d in details}
    assert documented <= DETAILS
    assert {d for s in ("rejected", "in_process", "pending") for d in DOCUMENTED[s]} <= ADVISED
