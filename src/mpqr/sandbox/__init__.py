"""mpqr sandbox: a stateful, offline emulator of Mercado Pago's in-store QR API."""
