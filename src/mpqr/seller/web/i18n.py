"""The cashier UI's words in Spanish, Portuguese and English, and the choice of language.

Each key maps to its three translations in one row, so a missing translation is impossible by
construction. The language comes from ``?lang=``, then the ``mpqr_lang`` cookie, then the
browser's ``Accept-Language``; Spanish is the default (most Mercado Pago sites speak it). The
mechanism (languages, choice, lookup) is :mod:`mpqr.i18n`, shared with the sandbox's pages; this
module holds the cashier's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from mpqr.i18n import DEFAULT, LANGUAGES, Catalogue, choose

__all__ = ["DEFAULT", "LANGUAGES", "choose", "translator"]

# key: (es, pt, en)
_ROWS: Final[Mapping[str, tuple[str, str, str]]] = {
    "app": ("Caja", "Caixa", "Cashier"),
    "login_title": ("Ingresar", "Entrar", "Sign in"),
    "username": ("Usuario", "Usuário", "Username"),
    "password": ("Contraseña", "Senha", "Password"),
    "sign_in": ("Ingresar", "Entrar", "Sign in"),
    "logout": ("Salir", "Sair", "Sign out"),
    "bad_login": (
        "Usuario o contraseña incorrectos.",
        "Usuário ou senha incorretos.",
        "Wrong username or password.",
    ),
    "too_many": (
        "Demasiados intentos. Probá de nuevo en unos minutos.",
        "Muitas tentativas. Tente novamente em alguns minutos.",
        "Too many attempts. Try again in a few minutes.",
    ),
    "cashboxes": ("Cajas", "Caixas", "Cashboxes"),
    "cashbox": ("Caja", "Caixa", "Cashbox"),
    "choose_cashbox": ("Elegí una caja", "Escolha um caixa", "Choose a cashbox"),
    "no_cashboxes": (
        "No hay cajas. Crealas con la API (POST /api/cashboxes).",
        "Não há caixas. Crie-os pela API (POST /api/cashboxes).",
        "No cashboxes yet. Create them with the API (POST /api/cashboxes).",
    ),
    "sell": ("Cobrar", "Cobrar", "Charge"),
    "poster": ("Cartel QR", "Cartaz QR", "QR poster"),
    "history": ("Historial", "Histórico", "History"),
    "new_sale": ("Nueva venta", "Nova venda", "New sale"),
    "items": ("Productos", "Produtos", "Items"),
    "item_title": ("Descripción", "Descrição", "Description"),
    "unit_price": ("Precio unitario", "Preço unitário", "Unit price"),
    "quantity": ("Cantidad", "Quantidade", "Quantity"),
    "add_row": ("Agregar fila", "Adicionar linha", "Add row"),
    "quick_amount": ("Monto rápido", "Valor rápido", "Quick amount"),
    "quick_hint": (
        "Si ponés un monto, se ignoran los productos.",
        "Se informar um valor, os produtos são ignorados.",
        "If you enter an amount, the items are ignored.",
    ),
    "default_item": ("Venta", "Venda", "Sale"),
    "replace": (
        "Reemplazar la venta pendiente de esta caja",
        "Substituir a venda pendente deste caixa",
        "Replace this cashbox's pending sale",
    ),
    "send_to_qr": ("Enviar al QR", "Enviar ao QR", "Send to the QR"),
    "total": ("Total", "Total", "Total"),
    "sale": ("Venta", "Venda", "Sale"),
    "status": ("Estado", "Status", "Status"),
    "status_pending": ("Esperando el pago", "Aguardando pagamento", "Waiting for payment"),
    "status_paid": ("Pagado", "Pago", "Paid"),
    "status_cancelled": ("Cancelada", "Cancelada", "Cancelled"),
    "status_expired": ("Vencida", "Expirada", "Expired"),
    "status_refunded": ("Devuelta", "Estornada", "Refunded"),
    "status_partially_refunded": (
        "Devuelta en parte",
        "Estornada em parte",
        "Partially refunded",
    ),
    "scan_hint": (
        "El cliente escanea el QR de la caja con la app de Mercado Pago.",
        "O cliente escaneia o QR do caixa com o app do Mercado Pago.",
        "The customer scans the cashbox QR with the Mercado Pago app.",
    ),
    "expires": ("Vence", "Expira", "Expires"),
    "expired_note": (
        "La orden venció sin pago.",
        "O pedido expirou sem pagamento.",
        "The order expired unpaid.",
    ),
    "payments": ("Intentos de pago", "Tentativas de pagamento", "Payment attempts"),
    "no_payments": ("Todavía ninguno.", "Nenhuma ainda.", "None yet."),
    "rejected_note": (
        "Pago rechazado: el cliente puede intentar de nuevo.",
        "Pagamento recusado: o cliente pode tentar de novo.",
        "Payment rejected: the customer may try again.",
    ),
    "pay_approved": ("aprobado", "aprovado", "approved"),
    "pay_rejected": ("rechazado", "recusado", "rejected"),
    "pay_pending": ("pendiente", "pendente", "pending"),
    "pay_in_process": ("en proceso", "em processamento", "in process"),
    "pay_refunded": ("devuelto", "estornado", "refunded"),
    "pay_cancelled": ("cancelado", "cancelado", "cancelled"),
    "paid_amount": ("Cobrado", "Recebido", "Paid"),
    "refunded_amount": ("Devuelto", "Estornado", "Refunded"),
    "cancel": ("Cancelar venta", "Cancelar venda", "Cancel sale"),
    "cancel_confirm": ("¿Cancelar esta venta?", "Cancelar esta venda?", "Cancel this sale?"),
    "refund": ("Devolver", "Estornar", "Refund"),
    "refund_amount": ("Monto a devolver", "Valor a estornar", "Amount to refund"),
    "refund_hint": (
        "Vacío = devolver todo lo cobrado.",
        "Vazio = estornar tudo.",
        "Empty = refund everything paid.",
    ),
    "alerts": ("Revisar", "Verificar", "Needs attention"),
    "alert_paid_after_cancel": (
        "Se pagó después de cancelar",
        "Pago depois de cancelar",
        "Paid after it was cancelled",
    ),
    "alert_paid_after_expiry": (
        "Se pagó después de vencer",
        "Pago depois de expirar",
        "Paid after it expired",
    ),
    "alert_amount_mismatch": (
        "El monto pagado no coincide",
        "O valor pago não confere",
        "The paid amount does not match",
    ),
    "alert_partially_paid": ("Pago parcial", "Pagamento parcial", "Partially paid"),
    "alert_overpaid": ("Pagó de más", "Pago a mais", "Overpaid"),
    "all": ("Todos", "Todos", "All"),
    "filter": ("Filtrar", "Filtrar", "Filter"),
    "next_page": ("Siguientes", "Próximos", "Next"),
    "no_sales": ("No hay ventas.", "Não há vendas.", "No sales."),
    "created": ("Creada", "Criada", "Created"),
    "print": ("Imprimir", "Imprimir", "Print"),
    "scan_to_pay": (
        "Escaneá y pagá con Mercado Pago",
        "Escaneie e pague com Mercado Pago",
        "Scan and pay with Mercado Pago",
    ),
    "error": ("Error", "Erro", "Error"),
    "not_found": ("No encontrado.", "Não encontrado.", "Not found."),
    "forbidden": (
        "Formulario vencido o inválido. Volvé a intentar.",
        "Formulário expirado ou inválido. Tente novamente.",
        "Expired or invalid form. Please try again.",
    ),
    "back": ("Volver", "Voltar", "Back"),
    "sale_for": ("Cobro en", "Cobrança em", "Charge at"),
    "live": ("En vivo", "Ao vivo", "Live"),
}

_CATALOGUE: Final = Catalogue(_ROWS)


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` in ``lang``; an unknown key shows itself (visible, never a crash)."""
    return _CATALOGUE.translator(lang)
