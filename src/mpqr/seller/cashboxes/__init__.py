"""Stores and cashboxes (Mercado Pago POS with ``fixed_amount: true``) and their QR posters."""
