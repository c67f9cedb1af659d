"""``mpqr serve``: the seller server under uvicorn; every option is also an ``MPQR_*`` variable."""

from __future__ import annotations

import os
from typing import Any

import click

from mpqr.seller.settings import Integration, Settings

__all__ = ["serve_command"]


@click.command("serve")
@click.option("--host", envvar="MPQR_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="MPQR_PORT", type=int, default=8000, show_default=True)
@click.option(
    "--database-url",
    envvar="MPQR_DATABASE_URL",
    default="sqlite:///./mpqr.db",
    show_default=True,
    help="sqlite:///path.db or postgresql://user@host/db",
)
@click.option("--mp-base-url", envvar="MPQR_MP_BASE_URL", default="https://api.mercadopago.com")
@click.option("--mp-access-token", envvar="MPQR_MP_ACCESS_TOKEN", default="", show_default=False)
@click.option(
    "--public-url",
    envvar="MPQR_PUBLIC_URL",
    default=None,
    help="Base of the notification_url put on orders ({public_url}/notifications).",
)
@click.option(
    "--integration",
    envvar="MPQR_INTEGRATION",
    type=click.Choice([i.value for i in Integration]),
    default=Integration.INSTORE_V1.value,
    show_default=True,
)
@click.option("--api-key", envvar="MPQR_API_KEY", default=None, help="Add this API key.")
@click.option(
    "--admin-password",
    envvar="MPQR_ADMIN_PASSWORD",
    default=None,
    help="Create (or reset) the cashier UI login 'admin' with this password.",
)
@click.option(
    "--webhook-secret",
    "webhook_secrets",
    envvar="MPQR_WEBHOOK_SECRETS",
    multiple=True,
    help="Secret to verify signed notifications (repeat for rotation).",
)
@click.option(
    "--auto-refund-after-cancel/--no-auto-refund-after-cancel",
    envvar="MPQR_AUTO_REFUND_AFTER_CANCEL",
    default=False,
    help="Refund payments that arrive after a sale was cancelled or expired.",
)
@click.option(
    "--db-pool-size",
    envvar="MPQR_DB_POOL_SIZE",
    type=click.IntRange(1, 500),
    default=10,
    show_default=True,
    help="PostgreSQL connections per instance (and as many again in overflow).",
)
@click.option(
    "--forwarded-allow-ips",
    envvar="MPQR_FORWARDED_ALLOW_IPS",
    default="",
    help="Comma-separated proxy addresses whose X-Forwarded-For/-Proto are believed "
    "(default: none; the client address is the TCP peer).",
)
@click.option(
    "--lease-seconds",
    envvar="MPQR_LEASE_SECONDS",
    type=click.FloatRange(2, 3600),
    default=30.0,
    show_default=True,
    help="An interrupted create, cancel or refund is recovered after this long.",
)
@click.option(
    "--recovery-interval",
    envvar="MPQR_RECOVERY_INTERVAL",
    type=click.FloatRange(0.1, 3600),
    default=5.0,
    show_default=True,
)
@click.option(
    "--sweep-interval",
    envvar="MPQR_SWEEP_INTERVAL",
    type=click.FloatRange(1, 86400),
    default=300.0,
    show_default=True,
    help="How often Mercado Pago is searched for payments no sale owns.",
)
@click.option("--crash-points", envvar="MPQR_CRASH_POINTS", default="", hidden=True)
@click.option("--log-level", envvar="MPQR_LOG_LEVEL", default="info", show_default=True)
def serve_command(log_level: str, **options: Any) -> None:
    """Run the seller server: sales on cashboxes, notification inbox, reconciliation."""
    import logging

    import uvicorn

    from mpqr.seller.app import create_app
    from mpqr.seller.logs import configure_logging

    if not options["public_url"]:
        options["public_url"] = f"http://{options['host']}:{options['port']}"
    options["integration"] = Integration(options["integration"])
    secrets = tuple(s for raw in options.pop("webhook_secrets") for s in raw.split(",") if s)
    proxies = tuple(p.strip() for p in options.pop("forwarded_allow_ips").split(",") if p.strip())
    settings = Settings.from_env(  # MPQR_* variables for what has no option, options win
        os.environ, **options, webhook_secrets=secrets or None, forwarded_allow_ips=proxies or None
    )
    configure_logging(
        [
            settings.mp_access_token,
            settings.api_key or "",
            settings.admin_password or "",
            *settings.webhook_secrets,
        ],
        getattr(logging, log_level.upper(), logging.INFO),
    )
    app = create_app(settings, announce=lambda text: click.echo(text), freeze_gc=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,
        proxy_headers=False,  # the app believes X-Forwarded-* only from --forwarded-allow-ips
        timeout_graceful_shutdown=5,  # open SSE streams must not hold Ctrl-C forever
    )
