"""Point the official ``mercadopago`` Python SDK at a sandbox, through the SDK's public seam.

``mercadopago.SDK(access_token, http_client=...)`` takes any :class:`mercadopago.http.HttpClient`;
:class:`SandboxHttpClient` is one that sends every call for ``https://api.mercadopago.com`` to the
sandbox's base URL instead, so nothing in the SDK is patched and two SDK instances (one on the
sandbox, one on Mercado Pago) can live in the same process::

    from mpqr.sandbox.sdk import mercadopago_sdk

    sdk = mercadopago_sdk("http://127.0.0.1:8080", "APP_USR-...")   # `mpqr sandbox` prints both
    sdk.merchant_order().search({"external_reference": "Factura-0001"})

The SDK is not a dependency of mpqr: install ``mercadopago`` (tested with 3.6.0) to use this.
For the Node SDK, see docs/sandbox.md ("The official SDKs").
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["MP_API", "SandboxHttpClient", "mercadopago_sdk"]

MP_API: Final = "https://api.mercadopago.com"


def _client_class() -> type[Any]:
    from mercadopago.http import HttpClient

    class SandboxHttpClient(HttpClient):  # type: ignore[misc]
        """The SDK's own HTTP client, with Mercado Pago's base URL swapped for the sandbox's."""

        def __init__(self, base_url: str) -> None:
            super().__init__()
            self.base_url = base_url.rstrip("/")

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if url.startswith(MP_API):
                url = self.base_url + url[len(MP_API) :]
            return super().request(method, url, *args, **kwargs)

    return SandboxHttpClient


def SandboxHttpClient(base_url: str) -> Any:
    """A :class:`mercadopago.http.HttpClient` that talks to the sandbox at ``base_url``."""
    return _client_class()(base_url)


def mercadopago_sdk(base_url: str, access_token: str, **sdk_options: Any) -> Any:
    """A ``mercadopago.SDK`` whose every call goes to the sandbox at ``base_url``."""
    import mercadopago

    return mercadopago.SDK(access_token, http_client=SandboxHttpClient(base_url), **sdk_options)
