"""The respondent's attempt at a survey: what FSM state keeps between two taps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from surveys import answering as flow
from surveys.answering import Draft


@dataclass(frozen=True)
class Attempt:
    """One go at one survey, as FSM state holds it."""

    survey_id: int
    code: str
    # The definition's fingerprint when the attempt began (services.survey_definitions); None
    # in a state written by the version that kept the whole definition there.
    fingerprint: str | None
    # The message edited in place; replaced when it can no longer be edited. Every
    # `/start s_<code>` sends a new one: buttons of an earlier attempt or survey are stale.
    message_id: int
    draft: Draft | None  # None: the intro, before «Начать»
    # Our refusals and the messages they answered, removed once an answer is accepted.
    litter: tuple[int, ...] = ()

    @property
    def step_number(self) -> int:
        return self.draft.step_number if self.draft is not None else 0

    def as_state(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey_id,
            "code": self.code,
            "fingerprint": self.fingerprint,
            "message_id": self.message_id,
            "draft": None if self.draft is None else flow.draft_to_json(self.draft),
            "litter": list(self.litter),
        }

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Attempt | None:
        try:
            draft = data["draft"]
            fingerprint = data.get("fingerprint")
            return cls(
                survey_id=int(data["survey_id"]),
                code=str(data["code"]),
                fingerprint=None if fingerprint is None else str(fingerprint),
                message_id=int(data["message_id"]),
                draft=None if draft is None else flow.draft_from_json(draft),
                litter=tuple(int(value) for value in data.get("litter", ())),
            )
        except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
            return None
