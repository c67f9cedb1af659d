"""In-store attended orders: legacy v1, v2 and dynamic/hybrid QR."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from mpqr.client.models._base import IdStr, MPModel, RequestModel

__all__ = [
    "CashOut",
    "DynamicQr",
    "InstoreItem",
    "InstoreOrderV1Request",
    "InstoreOrderV1Response",
    "InstoreOrderV2",
    "InstoreOrderV2Item",
    "InstoreOrderV2Request",
    "Sponsor",
]


class InstoreItem(RequestModel):
    """One item of a legacy v1 order. ``currency_id`` is required and decides the amount rules."""

    title: str
    currency_id: str
    unit_price: Decimal
    quantity: int
    id: str | None = None
    description: str | None = None
    picture_url: str | None = None


class InstoreOrderV1Request(RequestModel):
    """Body of ``POST /mpmobile/instore/qr/{user_id}/{external_id}`` (legacy attended order)."""

    items: list[InstoreItem]
    external_reference: str | None = None
    notification_url: str | None = None
    sponsor_id: int | None = None


class InstoreOrderV1Response(MPModel):
    """The preference-like answer of the legacy create. ``id`` is ``<collector_id>-<uuid>``."""

    id: str
    items: list[dict[str, object]] = Field(default_factory=list)
    collector_id: int | None = None
    total_amount: Decimal | None = None
    amount: Decimal | None = None
    external_reference: str | None = None
    notification_url: str | None = None
    sponsor_id: int | None = None
    site_id: str | None = None
    client_id: int | None = None
    marketplace: str | None = None
    operation_type: str | None = None
    expires: bool | None = None


class Sponsor(MPModel):
    id: int


class CashOut(MPModel):
    amount: Decimal


class InstoreOrderV2Item(RequestModel):
    """One item of a v2 / dynamic order. Amounts are in the seller's site currency."""

    title: str
    unit_price: Decimal
    quantity: int
    unit_measure: str = "unit"
    total_amount: Decimal
    sku_number: str | None = None
    category: str | None = None
    description: str | None = None


class InstoreOrderV2Request(RequestModel):
    """Body of the v2 PUT (§4), the dynamic POST and the hybrid PUT on ``/qrs`` (§5)."""

    external_reference: str
    title: str
    total_amount: Decimal
    items: list[InstoreOrderV2Item] | None = None
    description: str | None = None
    notification_url: str | None = None
    expiration_date: str | None = None
    sponsor: Sponsor | None = None
    cash_out: CashOut | None = None


class InstoreOrderV2(MPModel):
    """The order assigned to a POS, as ``GET .../pos/{external_pos_id}/orders`` returns it."""

    external_reference: str | None = None
    title: str | None = None
    description: str | None = None
    total_amount: Decimal | None = None
    items: list[dict[str, object]] = Field(default_factory=list)
    sponsor: Sponsor | None = None
    expiration_date: str | None = None
    notification_url: str | None = None
    user_id: IdStr | None = None
    external_pos_id: str | None = None


class DynamicQr(MPModel):
    """A dynamic QR: ``qr_data`` is the EMVCo string to render; ``in_store_order_id`` its order."""

    qr_data: str
    in_store_order_id: str | None = None
