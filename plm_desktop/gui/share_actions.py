"""What the share and outbox pages ask of the engine, as plain functions (no Qt).

They run on the window's database-write worker: preparing a share may create the
advocate's referral code, and a send writes each step to the outbox. Everything that
reaches outside (the Slack client, the webhook client) comes from a factory the caller
passes in, so tests point it at the loopback peer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from plm_desktop.gui.card_design import CardDesign
from plm_desktop.store import Database

log = logging.getLogger(__name__)

CHANNEL_ORDER = ("slack", "slack-channel", "linkedin", "x")
"""The channels the share page offers, in its tab order."""

LINK_SOURCE = {"slack": "slack", "slack-channel": "slack", "linkedin": "linkedin", "x": "x"}
"""``utm_source`` of the advocate's link in each channel's message."""

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

SlackFactory = Callable[[Database], object]
"""Builds a ``SlackClient`` for a database (its saved API URL); raises ``SendRefused``."""

WebhookFactory = Callable[[], object]
"""Builds a ``WebhookClient`` from the saved webhook URL; raises ``SendRefused``."""


class UnfilledPlaceholders(ValueError):
    """The text about to be sent still holds ``{placeholders}``; nothing was sent."""

    def __init__(self, channel: str, names: list[str]) -> None:
        self.channel = channel
        self.names = names
        shown = ", ".join("{" + name + "}" for name in names)
        super().__init__(
            f"The {CHANNEL_LABELS.get(channel, channel)} message still contains {shown}. "
            "Replace it with words (or set what it needs in Settings) before sending."
        )


CHANNEL_LABELS = {
    "slack": "Slack direct message",
    "slack-channel": "Slack channel",
    "linkedin": "LinkedIn",
    "x": "X",
}


def local_time(stamp: str | None) -> str:
    """An outbox timestamp (ISO 8601 UTC) in the computer's time zone, to the minute."""
    from datetime import datetime

    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def duplicate_question(exc, who: str | None = None) -> str:
    """What to ask the founder when a send is refused as a ``DuplicateShare``.

    ``who`` names the user (their user id when None).
    """
    existing = exc.existing
    if existing.error_code == "unknown_outcome":
        return (
            f"Share #{existing.share_id} may already have arrived: the connection broke "
            "after it was sent. Check Slack first. Send it again anyway?"
        )
    where = CHANNEL_LABELS.get(existing.channel, existing.channel)
    when = local_time(existing.sent_at or existing.updated_at)
    return (
        f"This card already went to {who or existing.user_id} by {where} on {when} "
        f"(share #{existing.share_id}). Send it again?"
    )


def unfilled_placeholders(text: str) -> list[str]:
    """Placeholder names still in ``text`` (``"Hi {first_name}"`` gives ``["first_name"]``)."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def check_filled(channel: str, text: str) -> None:
    """Raise :class:`UnfilledPlaceholders` when ``text`` still holds placeholders."""
    names = unfilled_placeholders(text)
    if names:
        raise UnfilledPlaceholders(channel, names)


@dataclass(frozen=True)
class ChannelDraft:
    """The message for one channel, or why there is none.

    Attributes:
        channel: ``slack``, ``slack-channel``, ``linkedin`` or ``x``.
        text: the filled message (empty when it could not be filled).
        problem: the founder-facing reason it could not be filled, or None.
        missing: placeholders the data could not fill.
    """

    channel: str
    text: str
    problem: str | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShareDraft:
    """Everything the share page shows for one win.

    Attributes:
        user_id, kind, week: the win.
        name, email: the advocate (email is where a DM goes).
        persona: the persona the messages were written for.
        title_persona: the persona the job title (or the founder's setting) suggests.
        design: the card as designed; ``png`` its bytes, exactly what is sent.
        drafts: the message per channel.
        link_note: why share links point to the product site instead of a referral
            link (no signup URL saved), or None.
    """

    user_id: str
    kind: str
    week: str | None
    name: str
    email: str | None
    persona: str
    title_persona: str
    design: CardDesign
    png: bytes
    drafts: dict[str, ChannelDraft] = field(default_factory=dict)
    link_note: str | None = None


def prepare_share(
    db: Database,
    user_id: str,
    kind: str | None,
    week: str | None,
    *,
    persona: str | None = None,
    design: CardDesign | None = None,
) -> ShareDraft:
    """The card and the filled message of every channel for ``user_id``'s win.

    Args:
        db: the database (the advocate's referral code is created on first use).
        user_id, kind, week: the win.
        persona: ``ic`` or ``leader``; None follows the title (or the founder's setting).
        design: the card as designed in the studio; the store's card when None.

    Raises:
        UnknownUser, NoMilestone: the win is not in the store.
    """
    from plm_desktop.gui.card_design import design_for_win
    from plm_desktop.messages import fill_message, load_templates
    from plm_desktop.messages.context import message_context
    from plm_desktop.sharing.links import MissingSignupUrl, share_link

    if design is None:
        design = design_for_win(db, user_id, kind, week)
    kind = design.spec.kind if kind is None else kind
    week = design.milestone_week or week
    context = message_context(db, user_id, kind, week, brand=design.brand)
    templates = load_templates(db)
    email_row = db.conn.execute("SELECT email FROM users WHERE user_id = ?", (user_id,)).fetchone()
    chosen = persona or context.persona or "ic"

    drafts: dict[str, ChannelDraft] = {}
    link_note = None
    for channel in CHANNEL_ORDER:
        try:
            link = share_link(db, user_id, source=LINK_SOURCE[channel], campaign=kind)
        except MissingSignupUrl as exc:
            link, link_note = None, str(exc)
        channel_context = replace(context, link=link or context.link)
        drafts[channel] = _draft(fill_message, channel, channel_context, chosen, templates)

    log.info("prepared the share of %s's %s card (%s persona)", user_id, kind, chosen)
    return ShareDraft(
        user_id=user_id,
        kind=kind,
        week=week,
        name=design.spec.name,
        email=email_row[0] if email_row else None,
        persona=chosen,
        title_persona=context.persona or "ic",
        design=design,
        png=design.png(),
        drafts=drafts,
        link_note=link_note,
    )


def _draft(fill_message, channel, context, persona, templates) -> ChannelDraft:
    from plm_desktop.messages import MessageTooLong, MissingPlaceholders

    try:
        return ChannelDraft(channel, fill_message(channel, context, persona, templates=templates))
    except MissingPlaceholders as exc:
        missing = tuple(exc.missing) + tuple(exc.unknown)
        hint = ""
        if "link" in exc.missing:
            hint = " Set your signup page in Settings so share links have somewhere to point."
        text = _partial_fill(channel, context, persona, templates)
        return ChannelDraft(channel, text, f"{CHANNEL_LABELS[channel]}: {exc}.{hint}", missing)
    except MessageTooLong as exc:
        return ChannelDraft(channel, "", f"{CHANNEL_LABELS[channel]}: {exc}.")


def _partial_fill(channel, context, persona, templates) -> str:
    """The template with what is known filled in and the rest left as ``{placeholders}``.

    The founder sees the message and exactly what is missing; sending stays refused
    until no placeholder is left (see :func:`check_filled`).
    """
    by_kind = templates.get(channel, {}).get(persona, {})
    variants = by_kind.get(context.milestone_kind or "") or by_kind.get("default") or [""]
    values = context.values()
    known = {name: value for name, value in values.items() if value}
    return _PLACEHOLDER.sub(lambda m: known.get(m.group(1), m.group(0)), variants[0])


@dataclass(frozen=True)
class SlackSend:
    """One "Send to Slack" as the founder asked for it.

    Attributes:
        user_id, kind, week: the win.
        channel: ``slack`` (DM by email) or ``slack-channel``.
        channel_id: the channel for ``slack-channel``.
        text: the message as edited.
        png: the card.
        force: the founder confirmed sending a card that was sent before.
    """

    user_id: str
    kind: str | None
    week: str | None
    channel: str
    text: str
    png: bytes | None
    channel_id: str | None = None
    force: bool = False


def send_to_slack(db: Database, request: SlackSend, slack_factory: SlackFactory):
    """Record and deliver ``request`` through the outbox; returns the ``SendResult``.

    Raises:
        UnfilledPlaceholders: the text still holds placeholders (nothing recorded).
        SendRefused, DuplicateShare, DeliveryFailed, ShareInProgress: from the engine.
    """
    from plm_desktop.sharing.send import Destination, send_prepared

    check_filled(request.channel, request.text)
    if request.channel == "slack":
        destination = Destination.dm()
    else:
        destination = Destination.channel(request.channel_id or "")
    client = slack_factory(db)
    try:
        return send_prepared(
            db,
            user_id=request.user_id,
            destination=destination,
            text=request.text,
            card_png=request.png,
            milestone=request.kind,
            week=request.week,
            force=request.force,
            slack=client,
        )
    finally:
        client.close()


def hand_post_to_founder(
    db: Database,
    *,
    user_id: str,
    channel: str,
    text: str,
    png: bytes | None,
    kind: str | None,
    week: str | None,
):
    """Log a LinkedIn or X post in the outbox and save its card; returns the ``Handoff``.

    Raises:
        UnfilledPlaceholders: the text still holds placeholders.
        MessageTooLong: the text is over the network's limit by its own count.
    """
    from plm_desktop.messages import (
        LINKEDIN_LIMIT,
        X_LIMIT,
        MessageTooLong,
        linkedin_length,
        x_length,
    )
    from plm_desktop.sharing.outbox import Outbox
    from plm_desktop.sharing.social import hand_to_user

    check_filled(channel, text)
    limit, length = (X_LIMIT, x_length(text)) if channel == "x" else (LINKEDIN_LIMIT, 0)
    if channel == "linkedin":
        length = linkedin_length(text)
    if length > limit:
        raise MessageTooLong(channel, length, limit)
    return hand_to_user(
        Outbox(db),
        user_id=user_id,
        channel=channel,
        text=text,
        card_png=png,
        milestone=kind,
        week=week,
    )


@dataclass(frozen=True)
class OutboxListing:
    """Every share, newest first, and the names of the users they are about."""

    entries: list
    names: dict[str, str]


def outbox_entries(db: Database) -> OutboxListing:
    """Every share, newest first, with user names for the table."""
    from plm_desktop.sharing.outbox import Outbox

    entries = Outbox(db).entries()
    ids = sorted({entry.user_id for entry in entries})
    names: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = db.conn.execute(
            f"SELECT user_id, name, email FROM users WHERE user_id IN ({marks})", chunk
        )
        names.update({user_id: name or email or user_id for user_id, name, email in rows})
    return OutboxListing(entries, names)


def retry_share(
    db: Database,
    share_id: int,
    *,
    force: bool,
    slack_factory: SlackFactory,
    webhook_factory: WebhookFactory,
):
    """Send a failed or interrupted share again, or (with ``force``) a sent one once more.

    A sent share is recorded anew with the same text and card and ``force``, so the
    outbox keeps both; any other share carries on from its last recorded step.

    Returns:
        OutboxEntry: the share as sent.

    Raises:
        DuplicateShare: the share was sent (or may have arrived) and ``force`` is False.
        DeliveryFailed, ShareInProgress, SendRefused: from the engine.
        ValueError: a LinkedIn or X post, which the founder posts themselves.
    """
    from plm_desktop.sharing.outbox import DuplicateShare, Outbox

    outbox = Outbox(db)
    entry = outbox.get(share_id)
    if entry.channel in ("linkedin", "x"):
        raise ValueError(
            f"Share #{share_id} is a {CHANNEL_LABELS[entry.channel]} post you publish "
            "yourself; open it from the Share page instead."
        )
    if entry.is_sent:
        if not force:
            raise DuplicateShare(entry)
        entry = outbox.record(
            user_id=entry.user_id,
            channel=entry.channel,
            text=entry.text,
            target=entry.target,
            milestone=entry.milestone,
            week=entry.week,
            card_png=outbox.card_bytes(entry),
            force=True,
        )
    if entry.channel == "webhook":
        client = webhook_factory()
        try:
            return outbox.deliver(entry.share_id, webhook=client, force=force)
        finally:
            client.close()
    client = slack_factory(db)
    try:
        return outbox.deliver(entry.share_id, slack=client, force=force)
    finally:
        client.close()


def default_slack_client(db: Database):
    """The Slack client with the token saved on this machine."""
    from plm_desktop.sharing.send import slack_client

    return slack_client(db)


def default_webhook_client():
    """The webhook client with the URL saved on this machine."""
    from plm_desktop.sharing.send import webhook_client

    return webhook_client()
