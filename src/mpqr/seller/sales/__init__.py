"""Sales: an order put on a cashbox; its status is a projection of Mercado Pago's facts."""
