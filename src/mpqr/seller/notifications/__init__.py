"""Notification inbox: store raw and answer at once (endpoint), then fetch and apply (processor)."""
