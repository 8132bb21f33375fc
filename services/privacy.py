"""Personal data under 152-ФЗ: who the operator is, and which consent text a person agrees to."""

from __future__ import annotations

from dataclasses import dataclass

from services.access import Actor

# The version of the consent text (docs/consent.md and the «privacy.consent.*» catalog texts),
# kept with each person who agrees. Change it together with the text: a later version is a new
# text, and whoever agreed to an earlier one is known by the version they agreed to.
CONSENT_VERSION = "2026-12.2"


@dataclass(frozen=True)
class Operator:
    """The school or education department running the bot; None where the settings are empty."""

    name: str | None
    contacts: str | None

    @classmethod
    def from_settings(cls, name: str, contacts: str) -> Operator:
        return cls(name.strip() or None, contacts.strip() or None)


def needs_consent(actor: Actor | None) -> bool:
    """A linked person with no consent on record (linked before consent was asked, or by
    hand): asked before anything else they do as staff. Administrators (ADMIN_IDS) are the
    operator's own."""
    return (
        actor is not None
        and not actor.is_admin
        and actor.person is not None
        and actor.person.is_linked
        and actor.person.consent_version is None
    )
