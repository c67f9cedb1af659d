"""The customer page's words in Spanish (the default), Portuguese and English.

The page is the simulated Mercado Pago app, so it speaks like the app does in the sites that take
QR payments: Spanish first, Portuguese for Brazil, English for everyone else reading the tests.

>>> strings(Lang.ES)["pay"]
'Pagar'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from mpqr.i18n import Lang

__all__ = ["Lang", "strings"]


_ES: Final = {
    "app": "Mercado Pago (simulado)",
    "loading": "Cargando…",
    "waiting": "Esperando el pedido…",
    "waiting_hint": "Cuando la caja cargue tu pedido, aparecerá acá.",
    "total": "Total",
    "pay": "Pagar",
    "reject": "Rechazar",
    "pending": "Dejar pendiente",
    "paying": "Procesando…",
    "approved_title": "¡Listo! Pagaste",
    "rejected_title": "Tu pago fue rechazado",
    "rejected_hint": "No se cobró nada. Podés intentar de nuevo.",
    "pending_title": "Tu pago quedó pendiente",
    "pending_hint": "Te avisaremos cuando se acredite.",
    "retry": "Intentar de nuevo",
    "done": "Volver",
    "operation": "Operación",
    "error_title": "No pudimos continuar",
    "not_found": "Caja no encontrada",
    "pick_title": "Escaneá un código QR",
    "pick_hint": "Elegí la caja que querés escanear.",
    "no_pos": "Todavía no hay cajas. Creá una con la API (POST /pos).",
    "has_order": "con pedido",
    "cashbox": "Caja",
    "back_to_list": "Otras cajas",
}

_PT: Final = {
    "app": "Mercado Pago (simulado)",
    "loading": "Carregando…",
    "waiting": "Aguardando o pedido…",
    "waiting_hint": "Quando o caixa registrar seu pedido, ele aparecerá aqui.",
    "total": "Total",
    "pay": "Pagar",
    "reject": "Recusar",
    "pending": "Deixar pendente",
    "paying": "Processando…",
    "approved_title": "Pronto! Você pagou",
    "rejected_title": "Seu pagamento foi recusado",
    "rejected_hint": "Nada foi cobrado. Você pode tentar de novo.",
    "pending_title": "Seu pagamento ficou pendente",
    "pending_hint": "Avisaremos quando for creditado.",
    "retry": "Tentar de novo",
    "done": "Voltar",
    "operation": "Operação",
    "error_title": "Não foi possível continuar",
    "not_found": "Caixa não encontrado",
    "pick_title": "Escaneie um código QR",
    "pick_hint": "Escolha o caixa que você quer escanear.",
    "no_pos": "Ainda não há caixas. Crie um com a API (POST /pos).",
    "has_order": "com pedido",
    "cashbox": "Caixa",
    "back_to_list": "Outros caixas",
}

_EN: Final = {
    "app": "Mercado Pago (simulated)",
    "loading": "Loading…",
    "waiting": "Waiting for the order…",
    "waiting_hint": "When the cashier puts your order on this QR, it shows up here.",
    "total": "Total",
    "pay": "Pay",
    "reject": "Reject",
    "pending": "Leave pending",
    "paying": "Processing…",
    "approved_title": "Done! You paid",
    "rejected_title": "Your payment was rejected",
    "rejected_hint": "You were not charged. You can try again.",
    "pending_title": "Your payment is pending",
    "pending_hint": "We will let you know when it is credited.",
    "retry": "Try again",
    "done": "Back",
    "operation": "Operation",
    "error_title": "We could not go on",
    "not_found": "Cashbox not found",
    "pick_title": "Scan a QR code",
    "pick_hint": "Pick the cashbox you want to scan.",
    "no_pos": "There are no cashboxes yet. Create one with the API (POST /pos).",
    "has_order": "has an order",
    "cashbox": "Cashbox",
    "back_to_list": "Other cashboxes",
}

_TABLE: Final = {
    Lang.ES: MappingProxyType(_ES),
    Lang.PT: MappingProxyType(_PT),
    Lang.EN: MappingProxyType(_EN),
}


def strings(lang: Lang) -> MappingProxyType[str, str]:
    """Every UI string of the customer page in ``lang`` (the same keys in every language)."""
    return _TABLE[lang]
