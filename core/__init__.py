"""The bottom layer: small pure types every other package may use (clock, roles, errors)."""
