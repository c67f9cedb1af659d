"""Words for every error :class:`~mpqr.seller.errors.Reason` (``reason_<value>``), every sale
status (``status_<value>``, including ``opening`` and ``failed``) and every alert
(``alert_<value>``): ``key: (es, pt, en)``. The cashier reads these instead of the API's English.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["REASON_ROWS"]

REASON_ROWS: Final[Mapping[str, tuple[str, str, str]]] = {
    # --- input (422)
    "reason_required": ("Completá este campo.", "Preencha este campo.", "Fill in this field."),
    "reason_invalid": (
        "Este valor no es válido.",
        "Este valor não é válido.",
        "This value is not valid.",
    ),
    "reason_unknown_field": ("Dato no reconocido.", "Dado não reconhecido.", "Unrecognised field."),
    "reason_not_a_number": (
        "Escribí un número, por ejemplo 1500 o 1500,50.",
        "Digite um número, por exemplo 1500 ou 1500,50.",
        "Type a number, for example 1500 or 1500.50.",
    ),
    "reason_not_positive": (
        "Tiene que ser mayor que cero.",
        "Deve ser maior que zero.",
        "Must be greater than zero.",
    ),
    "reason_not_an_integer": (
        "Tiene que ser un número entero.",
        "Deve ser um número inteiro.",
        "Must be a whole number.",
    ),
    "reason_too_many_decimals": (
        "Demasiados decimales para esta moneda.",
        "Casas decimais demais para esta moeda.",
        "Too many decimals for this currency.",
    ),
    "reason_amount_too_small": (
        "El monto es menor que el mínimo que acepta Mercado Pago.",
        "O valor é menor que o mínimo aceito pelo Mercado Pago.",
        "The amount is below Mercado Pago's minimum.",
    ),
    "reason_amount_too_large": (
        "El monto supera el máximo que acepta Mercado Pago.",
        "O valor passa do máximo aceito pelo Mercado Pago.",
        "The amount is above Mercado Pago's maximum.",
    ),
    "reason_too_short": ("Es demasiado corto.", "É curto demais.", "Too short."),
    "reason_too_long": ("Es demasiado largo.", "É longo demais.", "Too long."),
    "reason_too_many": (
        "Demasiados elementos (hasta 100 productos).",
        "Itens demais (até 100 produtos).",
        "Too many entries (up to 100 items).",
    ),
    "reason_too_few": (
        "Escribí un monto o al menos un producto con precio.",
        "Digite um valor ou pelo menos um produto com preço.",
        "Type an amount or at least one item with a price.",
    ),
    "reason_out_of_range": (
        "Fuera del rango permitido.",
        "Fora do intervalo permitido.",
        "Out of the allowed range.",
    ),
    "reason_bad_format": (
        "Formato no válido: solo letras, números, - y _.",
        "Formato inválido: apenas letras, números, - e _.",
        "Invalid format: letters, digits, - and _ only.",
    ),
    "reason_control_characters": (
        "Tiene caracteres no permitidos (saltos de línea o de control).",
        "Contém caracteres não permitidos (quebras de linha ou de controle).",
        "Contains characters that are not allowed (line breaks or control characters).",
    ),
    "reason_refund_too_large": (
        "Es más de lo que queda por devolver.",
        "É mais do que resta para estornar.",
        "That is more than what is left to refund.",
    ),
    "reason_idempotency_key_reused": (
        "Este formulario ya se usó para otra operación. Recargá la página.",
        "Este formulário já foi usado para outra operação. Recarregue a página.",
        "This form was already used for another request. Reload the page.",
    ),
    # --- not found (404)
    "reason_not_found": ("No encontrado.", "Não encontrado.", "Not found."),
    "reason_sale_not_found": ("No existe esa venta.", "Essa venda não existe.", "No such sale."),
    "reason_cashbox_not_found": (
        "No existe esa caja.",
        "Esse caixa não existe.",
        "No such cashbox.",
    ),
    "reason_store_not_found": (
        "No existe esa sucursal.",
        "Essa loja não existe.",
        "No such store.",
    ),
    "reason_payment_not_found": (
        "No existe ese pago.",
        "Esse pagamento não existe.",
        "No such payment.",
    ),
    # --- conflict (409)
    "reason_cashbox_busy": (
        "Esta caja ya tiene una venta esperando el pago. Abrila, cancelala o reemplazala.",
        "Este caixa já tem uma venda aguardando pagamento. Abra, cancele ou substitua.",
        "This cashbox already has a sale waiting for payment. Open it, cancel it or replace it.",
    ),
    "reason_reference_in_use": (
        "Esa referencia ya la usa otra venta.",
        "Essa referência já é usada por outra venda.",
        "Another sale already uses this reference.",
    ),
    "reason_sale_already_paid": (
        "La venta ya está pagada: no se puede cancelar. Si hace falta, devolvé el dinero.",
        "A venda já foi paga: não pode ser cancelada. Se precisar, estorne o dinheiro.",
        "The sale is already paid: it cannot be cancelled. Refund it if needed.",
    ),
    "reason_sale_not_paid": (
        "La venta no tiene pagos para devolver.",
        "A venda não tem pagamentos para estornar.",
        "The sale has no payment to refund.",
    ),
    "reason_nothing_to_refund": (
        "Ya se devolvió todo lo cobrado.",
        "Tudo o que foi recebido já foi estornado.",
        "Everything paid was already refunded.",
    ),
    "reason_in_progress": (
        "Esa operación todavía está en curso. Esperá unos segundos.",
        "Essa operação ainda está em andamento. Aguarde alguns segundos.",
        "That operation is still in progress. Wait a few seconds.",
    ),
    "reason_already_exists": ("Ya existe.", "Já existe.", "It already exists."),
    # --- Mercado Pago (502 / 503)
    "reason_mercadopago_refused": (
        "Mercado Pago rechazó la operación.",
        "O Mercado Pago recusou a operação.",
        "Mercado Pago refused the request.",
    ),
    "reason_mercadopago_unavailable": (
        "No se pudo hablar con Mercado Pago. Probá de nuevo en unos segundos.",
        "Não foi possível falar com o Mercado Pago. Tente novamente em alguns segundos.",
        "Mercado Pago could not be reached. Try again in a few seconds.",
    ),
    # --- the HTTP layer
    "reason_unauthorized": (
        "Tenés que ingresar de nuevo.",
        "Você precisa entrar novamente.",
        "Please sign in again.",
    ),
    "reason_forbidden": (
        "No tenés permiso para hacer esto. Volvé a cargar la página.",
        "Você não tem permissão para fazer isso. Recarregue a página.",
        "You are not allowed to do this. Reload the page.",
    ),
    "reason_rate_limited": (
        "Demasiados intentos. Esperá un momento.",
        "Muitas tentativas. Aguarde um momento.",
        "Too many attempts. Wait a moment.",
    ),
    "reason_method_not_allowed": (
        "Operación no permitida.",
        "Operação não permitida.",
        "Operation not allowed.",
    ),
    "reason_body_too_large": (
        "Los datos enviados son demasiado grandes.",
        "Os dados enviados são grandes demais.",
        "What was sent is too large.",
    ),
    "reason_unsupported_media_type": (
        "Formato de datos no admitido.",
        "Formato de dados não suportado.",
        "Unsupported data format.",
    ),
    "reason_malformed_body": (
        "No se pudieron leer los datos enviados.",
        "Não foi possível ler os dados enviados.",
        "What was sent could not be read.",
    ),
    "reason_internal": (
        "Algo falló en el servidor. Probá de nuevo; si sigue, avisá a soporte.",
        "Algo falhou no servidor. Tente novamente; se continuar, avise o suporte.",
        "Something failed on the server. Try again; if it persists, tell support.",
    ),
    # --- sale statuses (keyed by value: opening and failed come with write-ahead sales)
    "status_opening": ("Enviando al QR…", "Enviando ao QR…", "Sending to the QR…"),
    "status_pending": ("Esperando el pago", "Aguardando pagamento", "Waiting for payment"),
    "status_paid": ("Pagado", "Pago", "Paid"),
    "status_cancelled": ("Cancelada", "Cancelada", "Cancelled"),
    "status_expired": ("Vencida", "Expirada", "Expired"),
    "status_refunded": ("Devuelta", "Estornada", "Refunded"),
    "status_partially_refunded": ("Devuelta en parte", "Estornada em parte", "Partially refunded"),
    "status_failed": (
        "No se pudo enviar al QR",
        "Não foi possível enviar ao QR",
        "Could not send to the QR",
    ),
    # --- alerts
    "alert_paid_after_cancel": (
        "Se pagó después de cancelar: devolvé el dinero o cobrá con esta venta.",
        "Pago depois de cancelar: estorne o dinheiro ou considere a venda paga.",
        "Paid after it was cancelled: refund the money or treat the sale as paid.",
    ),
    "alert_paid_after_expiry": (
        "Se pagó después de vencer: devolvé el dinero o cobrá con esta venta.",
        "Pago depois de expirar: estorne o dinheiro ou considere a venda paga.",
        "Paid after it expired: refund the money or treat the sale as paid.",
    ),
    "alert_amount_mismatch": (
        "El monto pagado no coincide con el de la venta.",
        "O valor pago não confere com o da venda.",
        "The paid amount does not match the sale.",
    ),
    "alert_partially_paid": (
        "Pago parcial: falta cobrar el resto.",
        "Pagamento parcial: falta receber o restante.",
        "Partially paid: the rest is still due.",
    ),
    "alert_overpaid": (
        "Pagó de más: devolvé la diferencia.",
        "Pago a mais: estorne a diferença.",
        "Overpaid: refund the difference.",
    ),
}
