"""Doubts a parser reports instead of guessing silently.

A warning is a stable code plus parameters; the words live in the locale catalogs
(key ``warning.<code>``), so the same doubt reads well in Russian and in English, and the
database stores the code, never a sentence in one language.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParseWarning:
    code: str
    params: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def of(cls, code: str, **params: object) -> ParseWarning:
        return cls(code, tuple((key, str(value)) for key, value in sorted(params.items())))

    def param_dict(self) -> dict[str, str]:
        return dict(self.params)
