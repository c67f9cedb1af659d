"""Pure request builders, one module per API family; each function returns a ``Call``."""
