"""Unmatched payments: money Mercado Pago showed us that no stored sale owns."""
