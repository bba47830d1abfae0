"""Referral codes and share links: how a later signups import finds the advocate behind a
signup.

Each advocate gets one short code, kept in ``referral_codes``. A share link carries it
twice, as ``ref=CODE`` and as ``utm_content=CODE``, next to ``utm_source`` (where the
link was shared), ``utm_medium`` and ``utm_campaign`` (the milestone), so the code
survives whichever fields a signup tool keeps.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from plm_desktop.store import Database

log = logging.getLogger(__name__)

SIGNUP_URL_SETTING = "sharing.signup_url"
"""The product's signup or landing page the share links point to."""

UTM_MEDIUM = "advocate"
DEFAULT_CAMPAIGN = "win-card"
# No 0/o, 1/l/i: codes are read aloud and typed from screenshots.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 8


class MissingSignupUrl(ValueError):
    """No signup URL is set, so a share link has nowhere to point."""


def referral_code(db: Database, user_id: str) -> str:
    """The advocate's referral code, created on first use and stable afterwards."""
    row = db.conn.execute(
        "SELECT code FROM referral_codes WHERE user_id = ?", (user_id,)
    ).fetchone()
    if row is not None:
        return row[0]
    for _ in range(20):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with db.transaction() as conn:
                existing = conn.execute(
                    "SELECT code FROM referral_codes WHERE user_id = ?", (user_id,)
                ).fetchone()
                if existing is not None:
                    return existing[0]
                conn.execute(
                    "INSERT INTO referral_codes (user_id, code, created_at) VALUES (?, ?, ?)",
                    (user_id, code, datetime.now(UTC).isoformat(timespec="seconds")),
                )
        except sqlite3.IntegrityError:
            continue  # the code belongs to someone else already; draw again
        log.info("created a referral code for %s", user_id)
        return code
    raise RuntimeError("could not draw an unused referral code in 20 tries")


def advocate_of_code(db: Database, code: str) -> str | None:
    """The user id a referral code was given to, or None."""
    row = db.conn.execute(
        "SELECT user_id FROM referral_codes WHERE code = ?", (code.strip(),)
    ).fetchone()
    return None if row is None else row[0]


def share_link(
    db: Database,
    user_id: str,
    *,
    source: str,
    campaign: str | None = None,
    base_url: str | None = None,
) -> str:
    """The advocate's link to the product, tagged for attribution.

    Args:
        db: the database (codes and the signup URL setting live there).
        user_id: the advocate.
        source: where the link is shared (``linkedin``, ``x``, ``slack``): ``utm_source``.
        campaign: ``utm_campaign``, usually the milestone kind; ``win-card`` when None.
        base_url: the page to link to; the ``sharing.signup_url`` setting when None.

    Raises:
        MissingSignupUrl: no base URL given and none saved in settings.
    """
    base_url = base_url or db.get_setting(SIGNUP_URL_SETTING)
    if not base_url:
        raise MissingSignupUrl(
            "Set your product's signup page (Settings > Sharing > Signup URL) so share "
            "links can point to it."
        )
    code = referral_code(db, user_id)
    parts = urlsplit(base_url)
    keep = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k != "ref" and not k.startswith("utm_")
    ]
    tags = [
        ("ref", code),
        ("utm_source", source),
        ("utm_medium", UTM_MEDIUM),
        ("utm_campaign", campaign or DEFAULT_CAMPAIGN),
        ("utm_content", code),
    ]
    return urlunsplit(parts._replace(query=urlencode(keep + tags)))
