# ruff: noqa: E501  (a table of sentences: one sentence per line reads better than split strings)
"""Words for Mercado Pago's payment statuses (``pay_<status>``) and ``status_detail`` values
(``detail_<value>``), and what the cashier tells the customer (``advice_<value>``) for every
rejection and every payment still in process: ``key: (es, pt, en)``.

The values are the ones Mercado Pago documents for payments ("Possible statuses of a payment",
https://www.mercadopago.com.ar/developers/en/docs/checkout-api/response-handling/collection-results)
and for the Orders API transactions. An unknown value falls back to the words of its status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["ADVISED", "DETAILS", "PAYMENT_ROWS"]

_STATUSES: Final[Mapping[str, tuple[str, str, str]]] = {
    "pay_approved": ("Aprobado", "Aprovado", "Approved"),
    "pay_authorized": ("Autorizado", "Autorizado", "Authorised"),
    "pay_rejected": ("Rechazado", "Recusado", "Rejected"),
    "pay_pending": ("Pendiente", "Pendente", "Pending"),
    "pay_in_process": ("En proceso", "Em processamento", "In process"),
    "pay_in_mediation": ("En disputa", "Em disputa", "In dispute"),
    "pay_refunded": ("Devuelto", "Estornado", "Refunded"),
    "pay_cancelled": ("Cancelado", "Cancelado", "Cancelled"),
    "pay_charged_back": ("Contracargo", "Chargeback", "Charged back"),
    "advice_rejected": (
        "Decile que intente de nuevo o que pague con otro medio de pago.",
        "Peça para tentar de novo ou pagar com outro meio de pagamento.",
        "Ask them to try again or to pay with another payment method.",
    ),
    "advice_pending": (
        "El pago se está procesando. Decile que no pague de nuevo: esta pantalla cambia sola.",
        "O pagamento está sendo processado. Peça para não pagar de novo: esta tela muda sozinha.",
        "The payment is being processed. Tell them not to pay again: this screen updates itself.",
    ),
}

_OTHER_CARD: Final = (
    "Decile que pague con otro medio de pago (otra tarjeta o dinero en Mercado Pago).",
    "Peça para pagar com outro meio (outro cartão ou saldo no Mercado Pago).",
    "Ask them to pay another way (another card or Mercado Pago balance).",
)

# detail: (words, advice or None) — advice for rejections and payments still in process
_DETAILS: Final[Mapping[str, tuple[tuple[str, str, str], tuple[str, str, str] | None]]] = {
    # approved / authorized
    "accredited": (("Acreditado", "Creditado", "Credited"), None),
    "partially_refunded": (("Devuelto en parte", "Estornado em parte", "Partially refunded"), None),
    "pending_capture": (
        (
            "Autorizado, falta capturarlo",
            "Autorizado, falta capturar",
            "Authorised, not captured yet",
        ),
        (
            "El pago está autorizado pero todavía no se cobró. Esperá la confirmación.",
            "O pagamento está autorizado mas ainda não foi capturado. Aguarde a confirmação.",
            "The payment is authorised but not captured yet. Wait for the confirmation.",
        ),
    ),
    # in process / pending
    "offline_process": (
        ("Procesándose fuera de línea", "Processando offline", "Being processed offline"),
        (
            "Mercado Pago procesa el pago más tarde. Decile que no pague de nuevo.",
            "O Mercado Pago processa o pagamento mais tarde. Peça para não pagar de novo.",
            "Mercado Pago will process the payment later. Tell them not to pay again.",
        ),
    ),
    "pending_contingency": (
        ("En proceso", "Em processamento", "Being processed"),
        (
            "El pago se está procesando (puede tardar unos minutos). Decile que no pague de nuevo.",
            "O pagamento está sendo processado (pode levar alguns minutos). Peça para não pagar de novo.",
            "The payment is being processed (it may take a few minutes). Tell them not to pay again.",
        ),
    ),
    "pending_review_manual": (
        ("En revisión", "Em análise", "Under review"),
        (
            "Mercado Pago está revisando el pago (hasta 2 días hábiles). Decile que no pague de nuevo.",
            "O Mercado Pago está analisando o pagamento (até 2 dias úteis). Peça para não pagar de novo.",
            "Mercado Pago is reviewing the payment (up to 2 business days). Tell them not to pay again.",
        ),
    ),
    "pending_waiting_payment": (
        ("Esperando que termine el pago", "Aguardando o pagamento", "Waiting for the payment"),
        (
            "Falta que el cliente termine el pago en su app. Esperá.",
            "Falta o cliente concluir o pagamento no app. Aguarde.",
            "The customer still has to finish paying in their app. Wait.",
        ),
    ),
    "pending_waiting_transfer": (
        ("Esperando la transferencia", "Aguardando a transferência", "Waiting for the transfer"),
        (
            "Falta que el cliente complete la transferencia en su banco. Esperá.",
            "Falta o cliente concluir a transferência no banco. Aguarde.",
            "The customer still has to complete the transfer at their bank. Wait.",
        ),
    ),
    "pending_challenge": (
        ("Esperando una confirmación", "Aguardando uma confirmação", "Waiting for a confirmation"),
        (
            "El cliente tiene que confirmar el pago en su app o en su banco.",
            "O cliente precisa confirmar o pagamento no app ou no banco.",
            "The customer must confirm the payment in their app or at their bank.",
        ),
    ),
    "in_process": (
        ("En proceso", "Em processamento", "In process"),
        (
            "El pago se está procesando. Decile que no pague de nuevo.",
            "O pagamento está sendo processado. Peça para não pagar de novo.",
            "The payment is being processed. Tell them not to pay again.",
        ),
    ),
    # rejected
    "bank_error": (
        ("Error del banco", "Erro do banco", "Bank error"),
        (
            "Hubo un error con el banco. Decile que intente de nuevo o pague con otro medio.",
            "Houve um erro com o banco. Peça para tentar de novo ou pagar com outro meio.",
            "The bank had an error. Ask them to try again or pay another way.",
        ),
    ),
    "cc_rejected_3ds_mandatory": (
        (
            "Falta una validación de la tarjeta",
            "Falta uma validação do cartão",
            "Card check required",
        ),
        (
            "La tarjeta pidió una validación extra. Decile que intente de nuevo o use otro medio.",
            "O cartão pediu uma validação extra. Peça para tentar de novo ou usar outro meio.",
            "The card asked for an extra check. Ask them to try again or pay another way.",
        ),
    ),
    "cc_rejected_bad_filled_card_number": (
        ("Número de tarjeta incorrecto", "Número do cartão incorreto", "Wrong card number"),
        (
            "Decile que revise el número de la tarjeta y vuelva a pagar.",
            "Peça para conferir o número do cartão e pagar de novo.",
            "Ask them to check the card number and pay again.",
        ),
    ),
    "cc_rejected_bad_filled_date": (
        ("Vencimiento incorrecto", "Validade incorreta", "Wrong expiry date"),
        (
            "Decile que revise la fecha de vencimiento de la tarjeta y vuelva a pagar.",
            "Peça para conferir a validade do cartão e pagar de novo.",
            "Ask them to check the card's expiry date and pay again.",
        ),
    ),
    "cc_rejected_bad_filled_other": (
        ("Datos de tarjeta incorrectos", "Dados do cartão incorretos", "Wrong card details"),
        (
            "Decile que revise los datos de la tarjeta y vuelva a pagar.",
            "Peça para conferir os dados do cartão e pagar de novo.",
            "Ask them to check the card details and pay again.",
        ),
    ),
    "cc_rejected_bad_filled_security_code": (
        ("Código de seguridad incorrecto", "Código de segurança incorreto", "Wrong security code"),
        (
            "Decile que revise el código de seguridad de la tarjeta y vuelva a pagar.",
            "Peça para conferir o código de segurança do cartão e pagar de novo.",
            "Ask them to check the card's security code and pay again.",
        ),
    ),
    "cc_rejected_blacklist": (
        ("Tarjeta no aceptada", "Cartão não aceito", "Card not accepted"),
        _OTHER_CARD,
    ),
    "cc_rejected_call_for_authorize": (
        (
            "El banco pide autorización",
            "O banco pede autorização",
            "The bank asks for authorisation",
        ),
        (
            "Decile que llame a su banco para autorizar el pago, o que pague con otro medio.",
            "Peça para ligar para o banco e autorizar o pagamento, ou pagar com outro meio.",
            "Ask them to call their bank to authorise the payment, or to pay another way.",
        ),
    ),
    "cc_rejected_card_disabled": (
        ("Tarjeta inactiva", "Cartão inativo", "Card not active"),
        (
            "Decile que active la tarjeta con su banco, o que pague con otro medio.",
            "Peça para ativar o cartão com o banco, ou pagar com outro meio.",
            "Ask them to activate the card with their bank, or to pay another way.",
        ),
    ),
    "cc_rejected_card_error": (
        ("Error de la tarjeta", "Erro do cartão", "Card error"),
        _OTHER_CARD,
    ),
    "cc_rejected_duplicated_payment": (
        ("Pago duplicado", "Pagamento duplicado", "Duplicate payment"),
        (
            "Ya hizo un pago igual hace un momento. Revisá si esta venta ya figura pagada antes de cobrar de nuevo.",
            "Já fez um pagamento igual há pouco. Veja se esta venda já aparece paga antes de cobrar de novo.",
            "They just made the same payment. Check whether this sale already shows paid before charging again.",
        ),
    ),
    "cc_rejected_high_risk": (
        ("Rechazado por seguridad", "Recusado por segurança", "Declined for security"),
        _OTHER_CARD,
    ),
    "cc_rejected_insufficient_amount": (
        ("Saldo insuficiente", "Saldo insuficiente", "Insufficient funds"),
        (
            "La tarjeta no tiene saldo suficiente. Decile que pague con otro medio.",
            "O cartão não tem saldo suficiente. Peça para pagar com outro meio.",
            "The card does not have enough funds. Ask them to pay another way.",
        ),
    ),
    "cc_rejected_invalid_installments": (
        ("Cuotas no disponibles", "Parcelas indisponíveis", "Instalments not available"),
        (
            "Esa tarjeta no acepta esa cantidad de cuotas. Decile que elija otra o pague con otro medio.",
            "Esse cartão não aceita esse número de parcelas. Peça para escolher outro ou pagar com outro meio.",
            "That card does not take that many instalments. Ask them to choose another number or pay another way.",
        ),
    ),
    "cc_rejected_max_attempts": (
        ("Demasiados intentos", "Tentativas demais", "Too many attempts"),
        (
            "Llegó al límite de intentos con esa tarjeta. Decile que pague con otra tarjeta u otro medio.",
            "Atingiu o limite de tentativas com esse cartão. Peça para pagar com outro cartão ou meio.",
            "They reached the attempt limit with that card. Ask them to pay with another card or method.",
        ),
    ),
    "cc_rejected_other_reason": (
        (
            "La tarjeta rechazó el pago",
            "O cartão recusou o pagamento",
            "The card declined the payment",
        ),
        _OTHER_CARD,
    ),
    "cc_amount_rate_limit_exceeded": (
        (
            "Supera el límite del medio de pago",
            "Passa do limite do meio de pagamento",
            "Over the payment method's limit",
        ),
        _OTHER_CARD,
    ),
    "rejected_by_bank": (
        ("Rechazado por el banco", "Recusado pelo banco", "Declined by the bank"),
        _OTHER_CARD,
    ),
    "rejected_by_regulations": (
        ("Rechazado por normativa", "Recusado por regulamentação", "Declined by regulations"),
        _OTHER_CARD,
    ),
    "rejected_insufficient_data": (
        ("Faltan datos del pagador", "Faltam dados do pagador", "Payer details missing"),
        (
            "Decile que complete sus datos en la app de Mercado Pago y vuelva a pagar.",
            "Peça para completar os dados no app do Mercado Pago e pagar de novo.",
            "Ask them to complete their details in the Mercado Pago app and pay again.",
        ),
    ),
    "rejected_high_risk": (
        ("Rechazado por seguridad", "Recusado por segurança", "Declined for security"),
        _OTHER_CARD,
    ),
    # cancelled / refunded / charged back
    "expired": (("Vencido", "Expirado", "Expired"), None),
    "by_collector": (
        ("Cancelado por el vendedor", "Cancelado pelo vendedor", "Cancelled by the seller"),
        None,
    ),
    "by_payer": (
        ("Cancelado por el cliente", "Cancelado pelo cliente", "Cancelled by the customer"),
        None,
    ),
    "canceled_by_api": (("Cancelado", "Cancelado", "Cancelled"), None),
    "refunded": (("Devuelto", "Estornado", "Refunded"), None),
    "by_admin": (
        ("Devuelto por Mercado Pago", "Estornado pelo Mercado Pago", "Refunded by Mercado Pago"),
        None,
    ),
    "settled": (("Contracargo cobrado", "Chargeback cobrado", "Chargeback settled"), None),
    "reimbursed": (
        ("Contracargo reintegrado", "Chargeback reembolsado", "Chargeback reimbursed"),
        None,
    ),
    # Orders API transactions
    "created": (("Creado", "Criado", "Created"), None),
    "ready_to_process": (("Listo para pagar", "Pronto para pagar", "Ready to pay"), None),
}

DETAILS: Final = frozenset(_DETAILS)
ADVISED: Final = frozenset(k for k, (_, advice) in _DETAILS.items() if advice is not None)

PAYMENT_ROWS: Final[Mapping[str, tuple[str, str, str]]] = {
    **_STATUSES,
    **{f"detail_{k}": words for k, (words, _) in _DETAILS.items()},
    **{f"advice_{k}": advice for k, (_, advice) in _DETAILS.items() if advice is not None},
}
