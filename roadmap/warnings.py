"""Parsers' doubts: the type lives in ``core`` so that storage can keep them too."""

from core.warnings import ParseWarning

__all__ = ["ParseWarning"]
