"""``mpqr sandbox``: run the sandbox on a port, with one seller ready to use."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from mpqr._gc import freeze_startup_objects

if TYPE_CHECKING:
    from fastapi import FastAPI

    from mpqr.sandbox.catalog import Fee
    from mpqr.sandbox.models import Pos, Seller

__all__ = ["UVICORN", "command"]

UVICORN: dict[str, Any] = {"log_level": "info"}
"""uvicorn's settings for ``mpqr sandbox`` (``mpqr bench`` runs its ceiling app with the same)."""


def _seller_and_pos(app: FastAPI, site_id: str) -> tuple[Seller, Pos]:
    """The first seller (from the state file) or a new one, with a store and a POS to scan."""
    from mpqr.sandbox.stores_pos import add_pos, add_store

    state = app.state.sandbox
    seller = next(iter(state.data.sellers.values()), None) or state.create_seller(site_id)
    pos = next((p for p in state.data.pos.values() if p.seller_id == seller.id), None)
    if pos is None:
        store = add_store(
            state, seller, {"name": "Sucursal", "external_id": "SUC001", "location": {}}
        )
        body = {"name": "Caja 1", "fixed_amount": True, "external_id": "CAJA1"}
        pos = add_pos(state, seller, {**body, "store_id": store.id})
    return seller, pos


def _fee(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, Fee]:
    """``MLA:credit_card=5.99`` or ``MLB:credit_card=4.98/30`` (rate percent / release days)."""
    from mpqr.sandbox.catalog import Fee

    fees: dict[str, Fee] = {}
    for raw in values:
        key, _, value = raw.partition("=")
        rate, _, days = value.partition("/")
        try:
            fees[key.strip()] = Fee(Decimal(rate), int(days or 0))
        except (ArithmeticError, ValueError):
            raise click.BadParameter(f"{raw!r}: use SITE:TYPE=RATE[/DAYS]") from None
    return fees


@click.group("sandbox", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--state", "state_file", type=click.Path(dir_okay=False), help="Keep state here.")
@click.option("--seed", type=int, default=None, help="Seed for deterministic ids.")
@click.option(
    "--notify-profile",
    type=click.Choice(["fast", "mp", "mp-ipn", "mp-webhooks"]),
    default="fast",
    show_default=True,
    help="Notification retry schedule (mp: each form on Mercado Pago's own schedule).",
)
@click.option(
    "--allow-host", "allow_hosts", multiple=True, help="Deliver to this non-loopback host."
)
@click.option("--site", "site_id", default="MLA", show_default=True, help="Site of the seller.")
@click.option(
    "--qr-signature",
    type=click.Choice(["none", "invalid", "valid"]),
    default="none",
    show_default=True,
    help="x-signature on QR webhooks: none (as Mercado Pago), invalid, or valid.",
)
@click.option("--sign-ipn", is_flag=True, help="Sign IPN notifications with the secret too.")
@click.option(
    "--ipn-resource-host",
    default="https://api.mercadolibre.com",
    show_default=True,
    help='Host written in an IPN\'s "resource" ("sandbox" = this sandbox\'s URL).',
)
@click.option("--time-zone", default=None, help="Write every date in this zone, not the site's.")
@click.option(
    "--fee", "fees", multiple=True, callback=_fee, help="Fee override SITE:TYPE=RATE[/DAYS]."
)
@click.option("--legacy-auth-400", is_flag=True, help="Bad token on /mpmobile answers 400.")
@click.option("--v2-delete-204", is_flag=True, help="DELETE with no order answers 204, not 500.")
def command(host: str, port: int, site_id: str, state_file: str | None, **options: Any) -> None:
    """Run the Mercado Pago in-store QR sandbox (loopback only by default)."""
    if click.get_current_context().invoked_subcommand is not None:
        return  # `mpqr sandbox parity ...`
    import uvicorn

    from mpqr.sandbox.app import create_app

    base = f"http://{host}:{port}"
    app = create_app(state_file=state_file, base_url=base, **options)
    seller, pos = _seller_and_pos(app, site_id)
    app.state.runtime.save()
    click.echo(f"mpqr sandbox on {base}  (API docs {base}/docs)")
    click.echo(f"  user id:        {seller.id}  ({seller.site_id})")
    click.echo(f"  access token:   {seller.access_token}")
    click.echo(f"  webhook secret: {seller.webhook_secret}")
    click.echo(f"  POS:            {pos.id} (external_id {pos.external_id})")
    click.echo(f"  customer app:   {base}/customer/{pos.id}")
    freeze_startup_objects()  # see mpqr._gc: collections no longer walk what start-up built
    uvicorn.run(app, host=host, port=port, **UVICORN)


def _parity() -> click.Command:
    from mpqr.sandbox.parity import command as parity

    return parity


command.add_command(_parity())
