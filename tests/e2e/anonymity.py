"""What someone holding a copy of the server's files could link, as an attacker would look.

The attacker knows the survey secret and the Telegram ids of the people who took part (a class
chat's members), so they know each respondent's participation token. They look for anything
that ties a token to an answer: on SQLite, the WAL's commits (a token and answers written in
one commit) and stale copies of rows; on PostgreSQL, the transaction ids (`xmin`) and places
(`ctid`) of rows. What comes out, per respondent: the answers they could have given.
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

WAL_HEADER = 32
WAL_FRAME_HEADER = 24
_WAL_MAGIC = (0x377F0682, 0x377F0683)


def wal_commits(wal: bytes) -> list[bytes]:
    """The WAL's frames grouped into commits, in the order they were written: each commit as
    the concatenation of its pages. Every frame counts, also those of earlier generations of
    the file (a new salt) that SQLite would ignore: they are still in the copy."""
    if len(wal) < WAL_HEADER:
        return []
    magic, _version, page_size = struct.unpack(">III", wal[:12])
    assert magic in _WAL_MAGIC, "not a WAL file"
    commits: list[bytes] = []
    pages: list[bytes] = []
    offset = WAL_HEADER
    while offset + WAL_FRAME_HEADER + page_size <= len(wal):
        _page, size_after_commit = struct.unpack(">II", wal[offset : offset + 8])
        start = offset + WAL_FRAME_HEADER
        pages.append(wal[start : start + page_size])
        offset = start + page_size
        if size_after_commit:
            commits.append(b"".join(pages))
            pages = []
    if pages:
        commits.append(b"".join(pages))
    return commits


@dataclass(frozen=True)
class Respondent:
    token: str  # what the attacker computes from the secret and the Telegram id
    answer: str  # the text this respondent typed: the ground truth, never used to link


def sqlite_candidates(respondents: Sequence[Respondent], wal: bytes) -> dict[str, set[str]]:
    """Per token, the answers a copy of the SQLite files leaves possible.

    A commit holding a respondent's token and some answers narrows them to those answers.
    Stale copies of answers are found by `stale_copies`, the order on disk by `order_hits`."""
    answers = {r.answer for r in respondents}
    commits = wal_commits(wal)
    found: dict[str, set[str]] = {}
    for respondent in respondents:
        token = respondent.token.encode()
        possible = set(answers)
        for commit in commits:
            if token in commit:
                written = {a for a in answers if a.encode() in commit}
                if written:
                    possible &= written
        found[respondent.token] = possible
    return found


def stale_copies(answers: Collection[str], main: bytes, wal: bytes) -> dict[str, int]:
    """Answers found more than once in the files: an old version not wiped."""
    counts = {a: main.count(a.encode()) + wal.count(a.encode()) for a in answers}
    return {a: n for a, n in counts.items() if n != 1}


@dataclass(frozen=True)
class PgRow:
    xmin: int
    ctid: tuple[int, int]


def postgres_candidates(
    tokens: Mapping[str, PgRow], answers: Mapping[str, PgRow]
) -> dict[str, set[str]]:
    """Per token, the answers a copy of the tables (with xmin and ctid) leaves possible.

    The same xmin as the token's row: written in its transaction, so those answers alone. Else
    any answer written by a later transaction (a response is never written before its token)."""
    found: dict[str, set[str]] = {}
    for token, row in tokens.items():
        same = {a for a, r in answers.items() if r.xmin == row.xmin}
        later = {a for a, r in answers.items() if r.xmin > row.xmin}
        found[token] = same or later
    return found


def order_hits(given: Sequence[str], on_disk: Sequence[str]) -> int:
    """How many respondents an attacker places right by pairing the order people answered in
    (known from their tokens' places or transaction ids) with the order answers sit on disk."""
    return sum(first == second for first, second in zip(given, on_disk, strict=False))


def in_file_order(answers: Collection[str], data: bytes) -> list[str]:
    """The answers in the order their text first appears in a file."""
    return sorted(answers, key=lambda a: data.find(a.encode()))
