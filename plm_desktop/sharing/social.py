"""LinkedIn and X: the post is prefilled and put in the founder's hands, never sent for them.

LinkedIn has no documented way to prefill a post with an image, so the window copies the
text, puts the card on the clipboard (or saves it and shows the file) and opens the feed
with ``shareActive=true&text=...``. X gets its ``intent/tweet`` URL. Both are logged in the
outbox as ``handed_to_user``. Clipboard and browser are the window's business; this
module builds the URLs and the record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode

from plm_desktop.sharing.outbox import Outbox, OutboxEntry

log = logging.getLogger(__name__)

LINKEDIN_SHARE_URL = "https://www.linkedin.com/feed/"
X_INTENT_URL = "https://x.com/intent/tweet"


def linkedin_share_url(text: str) -> str:
    """The LinkedIn feed with the share box open and ``text`` in it."""
    return LINKEDIN_SHARE_URL + "?" + urlencode({"shareActive": "true", "text": text})


def x_intent_url(text: str) -> str:
    """X's compose window with ``text`` in it (links inside the text are kept as typed)."""
    return X_INTENT_URL + "?" + urlencode({"text": text})


def share_url(channel: str, text: str) -> str:
    """The prefilled-post URL for ``linkedin`` or ``x``."""
    if channel == "linkedin":
        return linkedin_share_url(text)
    if channel == "x":
        return x_intent_url(text)
    raise ValueError(f"no share URL for channel {channel!r}; use linkedin or x")


@dataclass(frozen=True)
class Handoff:
    """What the window needs to put a post in the founder's hands.

    Attributes:
        entry: the outbox record (state ``handed_to_user``).
        url: the page to open in the browser.
        text: the text to copy to the clipboard.
        card_path: the saved card, for the clipboard or to reveal in the file manager.
    """

    entry: OutboxEntry
    url: str
    text: str
    card_path: str | None


def hand_to_user(
    outbox: Outbox,
    *,
    user_id: str,
    channel: str,
    text: str,
    card_png: bytes | None = None,
    milestone: str | None = None,
    week: str | None = None,
) -> Handoff:
    """Record a LinkedIn or X post as handed to the founder and return what to open.

    Args:
        outbox: where the share is logged.
        user_id: the advocate the post celebrates.
        channel: ``linkedin`` or ``x``.
        text: the filled post text (with the advocate's share link in it).
        card_png: the card, saved in the data folder for the clipboard.
        milestone: the milestone kind the card is about.
        week: the milestone's week.
    """
    url = share_url(channel, text)
    entry = outbox.record_handoff(
        user_id=user_id,
        channel=channel,
        text=text,
        url=url,
        milestone=milestone,
        week=week,
        card_png=card_png,
    )
    return Handoff(entry=entry, url=url, text=text, card_path=entry.card_path)
