"""The seller's server (``mpqr serve``): sales on cashboxes, a notification inbox, reconciliation.

Layout: ``settings`` (explicit config), ``db/`` (tables, engine, Alembic migrations), ``sales/``
(schemas, pure state rules, service, repository, endpoints), ``cashboxes`` (stores and POS),
``gateway`` (one interface over the three Mercado Pago integrations), ``notifications/`` (endpoint,
inbox, processor), ``reconcile`` (the contingency poll), ``broadcast`` (live changes for SSE),
``app`` (the FastAPI factory) and ``cli``. See docs/seller.md.
"""
