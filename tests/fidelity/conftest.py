"""The fidelity suite: Mercado Pago's own responses against the sandbox's, compared by shape."""
