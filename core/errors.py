"""Errors a person can be told about: a message key and its parameters, never a traceback."""

from __future__ import annotations


class UserFacingError(Exception):
    """A refusal or failure whose explanation lives in the locale catalogs under ``key``."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
