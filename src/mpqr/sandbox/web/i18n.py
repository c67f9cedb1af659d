"""The phone pages' words in Spanish (the default), Portuguese and English.

The page is the simulated Mercado Pago app, so it speaks like the app does in the sites that take
QR payments: Spanish first, Portuguese for Brazil, English for everyone else reading the tests.
The words are rows ``key: (es, pt, en)`` of the one mechanism every page uses (:mod:`mpqr.i18n`):
a missing translation is impossible by construction.

>>> strings(Lang.PT)["reject"]
'Recusar'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mpqr.i18n import Catalogue, Lang, Row

__all__ = ["Lang", "strings"]

# key: (es, pt, en)
_ROWS: Final[Mapping[str, Row]] = {
    "app": ("Mercado Pago (simulado)", "Mercado Pago (simulado)", "Mercado Pago (simulated)"),
    "loading": ("Cargando…", "Carregando…", "Loading…"),
    "waiting": ("Esperando el pedido…", "Aguardando o pedido…", "Waiting for the order…"),
    "waiting_hint": (
        "Cuando la caja cargue tu pedido, aparecerá acá.",
        "Quando o caixa registrar seu pedido, ele aparecerá aqui.",
        "When the cashier puts your order on this QR, it shows up here.",
    ),
    "total": ("Total", "Total", "Total"),
    "pay": ("Pagar", "Pagar", "Pay"),
    "reject": ("Rechazar", "Recusar", "Reject"),
    "pending": ("Dejar pendiente", "Deixar pendente", "Leave pending"),
    "paying": ("Procesando…", "Processando…", "Processing…"),
    "approved_title": ("¡Listo! Pagaste", "Pronto! Você pagou", "Done! You paid"),
    "rejected_title": (
        "Tu pago fue rechazado",
        "Seu pagamento foi recusado",
        "Your payment was rejected",
    ),
    "rejected_hint": (
        "No se cobró nada. Podés intentar de nuevo.",
        "Nada foi cobrado. Você pode tentar de novo.",
        "You were not charged. You can try again.",
    ),
    "pending_title": (
        "Tu pago quedó pendiente",
        "Seu pagamento ficou pendente",
        "Your payment is pending",
    ),
    "pending_hint": (
        "Te avisaremos cuando se acredite.",
        "Avisaremos quando for creditado.",
        "We will let you know when it is credited.",
    ),
    "retry": ("Intentar de nuevo", "Tentar de novo", "Try again"),
    "done": ("Volver", "Voltar", "Back"),
    "operation": ("Operación", "Operação", "Operation"),
    "error_title": ("No pudimos continuar", "Não foi possível continuar", "We could not go on"),
    "not_found": ("Caja no encontrada", "Caixa não encontrado", "Cashbox not found"),
    "pick_title": ("Escaneá un código QR", "Escaneie um código QR", "Scan a QR code"),
    "pick_hint": (
        "Elegí la caja que querés escanear.",
        "Escolha o caixa que você quer escanear.",
        "Pick the cashbox you want to scan.",
    ),
    "no_pos": (
        "Todavía no hay cajas. Creá una con la API (POST /pos).",
        "Ainda não há caixas. Crie um com a API (POST /pos).",
        "There are no cashboxes yet. Create one with the API (POST /pos).",
    ),
    "has_order": ("con pedido", "com pedido", "has an order"),
    "cashbox": ("Caja", "Caixa", "Cashbox"),
    "back_to_list": ("Otras cajas", "Outros caixas", "Other cashboxes"),
}

_CATALOGUE: Final = Catalogue(_ROWS)


def strings(lang: Lang) -> Mapping[str, str]:
    """Every UI string of the phone pages in ``lang`` (the same keys in every language)."""
    return _CATALOGUE.strings(lang)
