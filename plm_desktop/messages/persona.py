"""Which persona a user's copy is written for: ``ic`` or ``leader``.

An individual contributor wants to look skilled; a VP or founder wants to look strategic.
The persona is read from the job title unless the founder set it for the user
(``users.persona``), which always wins.
"""

from __future__ import annotations

import logging
import re

from plm_desktop.store import Database

log = logging.getLogger(__name__)

PERSONAS = ("ic", "leader")

# Titles of people who run a company, a function or a team.
_LEADER_TITLE = re.compile(
    r"\b(?:"
    r"founder|co-?founder|president|managing partner"
    r"|ceo|cto|cfo|coo|cmo|cpo|cio|cro|ciso|chief"
    r"|c-level|vp|svp|evp|avp|vice[- ]president"
    r"|head|director|gm|general manager"
    r")\b",
    re.IGNORECASE,
)


class UnknownPersona(ValueError):
    """A persona other than ``ic`` or ``leader`` was asked for."""


def persona_for_title(title: str | None) -> str:
    """``leader`` for founders, C-level, VPs, heads and directors; ``ic`` otherwise."""
    if title and _LEADER_TITLE.search(title):
        return "leader"
    return "ic"


def persona_for_user(title: str | None, override: str | None = None) -> str:
    """The founder's override when set, else the persona the title suggests.

    Raises:
        UnknownPersona: the override is not one of :data:`PERSONAS`.
    """
    if override:
        if override not in PERSONAS:
            raise UnknownPersona(f"persona {override!r} is not one of {', '.join(PERSONAS)}")
        return override
    return persona_for_title(title)


def set_user_persona(db: Database, user_id: str, persona: str | None) -> None:
    """Save the founder's persona choice for ``user_id`` (None: follow the title again).

    Raises:
        UnknownPersona: ``persona`` is not one of :data:`PERSONAS` or None.
        LookupError: no such user.
    """
    if persona is not None and persona not in PERSONAS:
        raise UnknownPersona(f"persona {persona!r} is not one of {', '.join(PERSONAS)}")
    with db.transaction() as conn:
        changed = conn.execute(
            "UPDATE users SET persona = ? WHERE user_id = ?", (persona, user_id)
        ).rowcount
    if not changed:
        raise LookupError(f"no user {user_id!r} in this database")
    log.info("persona of %s set to %s", user_id, persona or "follow the title")
