"""A count with the word in the right form, for texts that reach us through a plain `Translate`.

The bot's handlers have aiogram's `ngettext`; pure packages get only `translate(key)`, so their
catalog entries hold every form in one string, separated by "|": «{count} день|{count} дня|
{count} дней» in Russian, «{count} day|{count} days» in English. The number of forms tells the
rule, as the catalogs' own Plural-Forms headers do: three forms are the Russian rule, two the
English one (1 is singular), one form is used for every count.
"""

from __future__ import annotations

SEPARATOR = "|"


def plural_index(count: int, forms: int) -> int:
    """Which of `forms` forms fits `count`: 0, 1 or 2 (день, дня, дней)."""
    count = abs(count)
    if forms >= 3:
        if count % 10 == 1 and count % 100 != 11:
            return 0
        if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            return 1
        return 2
    if forms == 2:
        return 0 if count == 1 else 1
    return 0


def plural(count: int, forms: str) -> str:
    """The form of `forms` ("день|дня|дней") that fits `count`, its {count} filled in."""
    choices = forms.split(SEPARATOR)
    return choices[plural_index(count, len(choices))].format(count=count)
