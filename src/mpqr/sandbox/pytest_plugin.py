"""pytest plugin for the mpqr sandbox (fixtures are added by the sandbox part)."""
