"""Payments and refunds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from mpqr.client.models._base import TOLERANT, IdStr, MPModel, Paging, parse_mp_datetime
from mpqr.statuses import PaymentStatus, PaymentStatusDetail

__all__ = [
    "FeeDetail",
    "Payment",
    "PaymentOrderRef",
    "PaymentSearch",
    "PaymentStatus",
    "PaymentStatusDetail",
    "PaymentStatusDetailField",
    "PaymentStatusField",
    "PaymentType",
    "PointOfInteraction",
    "Refund",
    "TransactionDetails",
]


class PaymentType(StrEnum):
    """``payment_type_id``: how the buyer paid.

    QR payments are mostly ``account_money`` (the buyer's Mercado Pago balance) or cards; an
    Argentine bank or wallet app paying a Mercado Pago QR (``payment_method_id`` is then
    ``interop_transfer``) is a transfer.
    """

    ACCOUNT_MONEY = "account_money"
    CREDIT_CARD = "credit_card"
    DEBIT_CARD = "debit_card"
    PREPAID_CARD = "prepaid_card"
    BANK_TRANSFER = "bank_transfer"
    DIGITAL_CURRENCY = "digital_currency"
    DIGITAL_WALLET = "digital_wallet"
    TICKET = "ticket"
    ATM = "atm"
    VOUCHER_CARD = "voucher_card"


PaymentStatusField = Annotated[PaymentStatus | str, TOLERANT]
PaymentStatusDetailField = Annotated[PaymentStatusDetail | str, TOLERANT]
PaymentTypeField = Annotated[PaymentType | str, TOLERANT]


class PaymentOrderRef(MPModel):
    """``payment.order``: with ``type == "mercadopago"`` the ``id`` is the merchant order id."""

    id: IdStr | None = None
    type: str | None = None


class PointOfInteraction(MPModel):
    """Where the payment happened: ``type`` is ``INSTORE`` for QR.

    ``sub_type`` is ``INTRA_PSP`` (paid from Mercado Pago's own app) or ``INTER_PSP`` (another
    bank's or wallet's app; the payer's identity is then hidden).
    """

    type: str | None = None
    sub_type: str | None = None
    business_info: dict[str, object] | None = None
    location: dict[str, object] | None = None
    references: list[dict[str, object]] = Field(default_factory=list)


class FeeDetail(MPModel):
    """One fee charged on a payment: ``type`` is e.g. ``mercadopago_fee``, paid by the collector."""

    type: str | None = None
    amount: Decimal | None = None
    fee_payer: str | None = None


class TransactionDetails(MPModel):
    """``transaction_details``: what the seller nets (``net_received_amount``) after fees."""

    net_received_amount: Decimal | None = None
    total_paid_amount: Decimal | None = None
    installment_amount: Decimal | None = None
    overpaid_amount: Decimal | None = None


class Refund(MPModel):
    """A refund of a payment (``POST /v1/payments/{id}/refunds``)."""

    id: int
    payment_id: int | None = None
    amount: Decimal | None = None
    status: str | None = None
    source: dict[str, object] | None = None
    date_created: str | None = None
    refund_mode: str | None = None
    reason: str | None = None
    amount_refunded_to_payer: Decimal | None = None


class Payment(MPModel):
    """A payment. For QR, ``pos_id`` / ``store_id`` are the numeric ids (as strings).

    Dates stay the strings Mercado Pago sends (with the site's offset); :attr:`approved_at` and
    :attr:`money_release_at` read them, with "never approved" as ``None``.
    """

    id: int
    status: PaymentStatusField | None = None
    status_detail: PaymentStatusDetailField | None = None
    transaction_amount: Decimal | None = None
    transaction_amount_refunded: Decimal | None = None
    currency_id: str | None = None
    description: str | None = None
    external_reference: str | None = None
    collector_id: int | None = None
    operation_type: str | None = None
    order: PaymentOrderRef | None = None
    payer: dict[str, object] | None = None
    payment_method_id: str | None = None
    payment_type_id: PaymentTypeField | None = None
    installments: int | None = None
    pos_id: IdStr | None = None
    store_id: IdStr | None = None
    point_of_interaction: PointOfInteraction | None = None
    fee_details: list[FeeDetail] = Field(default_factory=list)
    transaction_details: TransactionDetails | None = None
    live_mode: bool | None = None
    date_created: str | None = None
    date_approved: str | None = None
    date_last_updated: str | None = None
    money_release_date: str | None = None
    money_release_status: str | None = None
    refunds: list[Refund] = Field(default_factory=list)

    @property
    def approved_at(self) -> datetime | None:
        return parse_mp_datetime(self.date_approved)

    @property
    def money_release_at(self) -> datetime | None:
        return parse_mp_datetime(self.money_release_date)

    @property
    def net_received_amount(self) -> Decimal | None:
        """What the seller receives after fees (``transaction_details.net_received_amount``)."""
        details = self.transaction_details
        return None if details is None else details.net_received_amount

    @property
    def fee_total(self) -> Decimal:
        """The sum of ``fee_details`` amounts (``0`` when there are none)."""
        return sum((fee.amount or Decimal(0) for fee in self.fee_details), Decimal(0))


class PaymentSearch(MPModel):
    paging: Paging = Field(default_factory=Paging)
    results: list[Payment] = Field(default_factory=list)
