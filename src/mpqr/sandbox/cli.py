"""``mpqr sandbox``: run the sandbox on a port, with one seller ready to use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from fastapi import FastAPI

    from mpqr.sandbox.models import Pos, Seller

__all__ = ["command"]


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


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--state", "state_file", type=click.Path(dir_okay=False), help="Keep state here.")
@click.option("--seed", type=int, default=None, help="Seed for deterministic ids.")
@click.option(
    "--notify-profile",
    type=click.Choice(["fast", "mp-ipn", "mp-webhooks"]),
    default="fast",
    show_default=True,
    help="Notification retry schedule.",
)
@click.option(
    "--allow-host", "allow_hosts", multiple=True, help="Deliver to this non-loopback host."
)
@click.option("--site", "site_id", default="MLA", show_default=True, help="Site of the seller.")
@click.option("--sign-ipn", is_flag=True, help="Sign IPN notifications too.")
@click.option("--legacy-auth-400", is_flag=True, help="Bad token on /mpmobile answers 400.")
@click.option("--v2-delete-204", is_flag=True, help="DELETE with no order answers 204, not 500.")
def command(
    host: str,
    port: int,
    state_file: str | None,
    seed: int | None,
    notify_profile: str,
    allow_hosts: tuple[str, ...],
    site_id: str,
    sign_ipn: bool,
    legacy_auth_400: bool,
    v2_delete_204: bool,
) -> None:
    """Run the Mercado Pago in-store QR sandbox (loopback only by default)."""
    import uvicorn

    from mpqr.sandbox.app import create_app

    base = f"http://{host}:{port}"
    app = create_app(
        seed=seed,
        state_file=state_file,
        notify_profile=notify_profile,
        allow_hosts=allow_hosts,
        sign_ipn=sign_ipn,
        legacy_auth_400=legacy_auth_400,
        v2_delete_204=v2_delete_204,
        base_url=base,
    )
    seller, pos = _seller_and_pos(app, site_id)
    app.state.runtime.save()
    click.echo(f"mpqr sandbox on {base}  (API docs {base}/docs)")
    click.echo(f"  user id:        {seller.id}  ({seller.site_id})")
    click.echo(f"  access token:   {seller.access_token}")
    click.echo(f"  webhook secret: {seller.webhook_secret}")
    click.echo(f"  POS:            {pos.id} (external_id {pos.external_id})")
    click.echo(f"  customer app:   {base}/customer/{pos.id}")
    uvicorn.run(app, host=host, port=port, log_level="info")
