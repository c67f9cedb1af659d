"""Points of sale (cajas)."""

from __future__ import annotations

from pydantic import Field

from mpqr.client.models._base import IdStr, MPModel, Paging, RequestModel

__all__ = ["Pos", "PosCreateRequest", "PosQr", "PosSearch"]


class PosQr(MPModel):
    """Links to the POS's static QR: PNG, printable PDF template and template PNG."""

    image: str | None = None
    template_document: str | None = None
    template_image: str | None = None


class Pos(MPModel):
    """A point of sale. ``external_id`` is the ``external_pos_id`` of the in-store order paths.

    ``qr_code`` (the raw EMVCo string of the static QR) only comes with ``GET /pos/{id}``.
    """

    id: int
    name: str | None = None
    fixed_amount: bool | None = None
    category: int | None = None
    store_id: IdStr | None = None
    external_store_id: str | None = None
    external_id: str | None = None
    user_id: int | None = None
    status: str | None = None
    uuid: str | None = None
    url: str | None = None
    qr: PosQr | None = None
    qr_code: str | None = None
    compatible_id: str | None = None
    site: str | None = None
    date_created: str | None = None
    date_last_updated: str | None = None


class PosSearch(MPModel):
    paging: Paging = Field(default_factory=Paging)
    results: list[Pos] = Field(default_factory=list)


class PosCreateRequest(RequestModel):
    """Body of ``POST /pos``. ``fixed_amount`` must be true for the attended model."""

    name: str
    fixed_amount: bool = True
    store_id: IdStr | None = None
    external_store_id: str | None = None
    external_id: str | None = None
    category: int | None = None
    url: str | None = None
