"""Moved to :mod:`fakes.watch` (the demo ships the fake servers); kept for the tests' imports."""

from fakes.watch import ChangeWatch

__all__ = ["ChangeWatch"]
