"""Send a win card to a user: the one function the command line and the window call.

:func:`send_card` picks the milestone, renders its card, fills the message, and hands
both to :func:`send_prepared`, which records the share in the outbox before anything
leaves the machine and then delivers it (DM by email, a channel id, or the webhook).
:func:`send_prepared` takes ready PNG bytes and text, so callers that already rendered
and edited them (the window's preview) use it directly.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

import httpx

from plm_desktop.sharing.outbox import (
    DeliveryFailed,
    DuplicateShare,
    Outbox,
    OutboxEntry,
    ShareInProgress,
)
from plm_desktop.sharing.secrets import TokenStore, open_token_store
from plm_desktop.sharing.slack import (
    WEBHOOK_CANNOT_CARRY_IMAGE,
    SlackClient,
    SlackError,
    WebhookClient,
    api_base_url,
)
from plm_desktop.store import Database

log = logging.getLogger(__name__)

__all__ = [
    "DeliveryFailed",
    "Destination",
    "DuplicateShare",
    "PreparedCard",
    "SendRefused",
    "SendResult",
    "ShareInProgress",
    "prepare_card",
    "send_card",
    "send_prepared",
    "slack_client",
    "webhook_client",
]


class SendRefused(Exception):
    """The send cannot start (no token, no email, no milestone...); ``str()`` says why."""


@dataclass(frozen=True)
class Destination:
    """Where a share goes.

    Attributes:
        kind: ``slack`` (DM to the user by email), ``slack-channel`` or ``webhook``.
        channel_id: the channel for ``slack-channel``.
    """

    kind: str
    channel_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("slack", "slack-channel", "webhook"):
            raise ValueError(f"not a Slack destination: {self.kind!r}")
        if self.kind == "slack-channel" and not self.channel_id:
            raise ValueError("a channel destination needs a channel id")

    @classmethod
    def dm(cls) -> Destination:
        return cls("slack")

    @classmethod
    def channel(cls, channel_id: str) -> Destination:
        return cls("slack-channel", channel_id.strip())

    @classmethod
    def webhook(cls) -> Destination:
        return cls("webhook")


@dataclass(frozen=True)
class SendResult:
    """A share Slack accepted.

    Attributes:
        share_id: the outbox entry.
        channel: the conversation id it went to (``webhook`` for the webhook).
        ts: Slack's message timestamp, when Slack gave one.
        file_id: the card's Slack file id, when a card was attached.
        sent_at: when the outbox marked it sent (ISO 8601 UTC).
        notes: things the founder should know (a webhook carries no image).
        entry: the outbox entry as stored.
    """

    share_id: int
    channel: str
    ts: str | None
    file_id: str | None
    sent_at: str
    notes: tuple[str, ...]
    entry: OutboxEntry


@dataclass(frozen=True)
class PreparedCard:
    """A milestone's card and message, ready to send or to edit first."""

    user_id: str
    milestone: str | None
    week: str | None
    text: str
    png: bytes


def slack_client(
    db: Database | None = None,
    *,
    tokens: TokenStore | None = None,
    http: httpx.Client | None = None,
    env: Mapping[str, str] | None = None,
    **options,
) -> SlackClient:
    """A Web API client with the saved token and the configured base URL.

    Raises:
        SendRefused: no bot token is saved.
    """
    tokens = tokens or open_token_store()
    token = tokens.bot_token()
    if not token:
        raise SendRefused(
            "No Slack bot token is saved. Paste your app's Bot User OAuth Token (xoxb-...) "
            "in Settings > Slack, run 'plm-desktop slack-token set', or set SLACK_BOT_TOKEN."
        )
    return SlackClient(token, base_url=api_base_url(db, env), http=http, **options)


def webhook_client(
    *, tokens: TokenStore | None = None, http: httpx.Client | None = None, **options
) -> WebhookClient:
    """A client for the saved incoming webhook.

    Raises:
        SendRefused: no webhook URL is saved.
    """
    tokens = tokens or open_token_store()
    url = tokens.webhook_url()
    if not url:
        raise SendRefused(
            "No Slack webhook URL is saved. Add one in Settings > Slack, run "
            "'plm-desktop slack-token set --webhook', or set SLACK_WEBHOOK_URL."
        )
    return WebhookClient(url, http=http, **options)


def _user_email(db: Database, user_id: str) -> str:
    row = db.conn.execute("SELECT email FROM users WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        raise SendRefused(f"No user {user_id!r} in the imported usage data.")
    if not row[0]:
        raise SendRefused(
            f"User {user_id} has no email in the imported usage data, so Slack cannot find "
            "them. Add an email column to your usage export, or post to a channel instead."
        )
    return row[0]


def send_prepared(
    db: Database,
    *,
    user_id: str,
    destination: Destination,
    text: str,
    card_png: bytes | None = None,
    milestone: str | None = None,
    week: str | None = None,
    force: bool = False,
    slack: SlackClient | None = None,
    webhook: WebhookClient | None = None,
    outbox: Outbox | None = None,
) -> SendResult:
    """Record the share in the outbox, then deliver it; never posts the same card twice.

    Args:
        db: the database.
        user_id: the user the card celebrates (and, for a DM, receives it).
        destination: DM, channel or webhook.
        text: the exact message text.
        card_png: the rendered card; ignored for the webhook, which cannot carry images.
        milestone: the milestone kind the card is about.
        week: the milestone's week (ISO Monday).
        force: the founder confirmed sending a card that was sent before.
        slack: the Web API client (needed for DM and channel).
        webhook: the webhook client (needed for the webhook).
        outbox: the outbox to use (one on ``db`` when None).

    Returns:
        SendResult: where it went and Slack's timestamp.

    Raises:
        SendRefused: the user has no email (DM) or a client is missing.
        DuplicateShare: it was sent already and ``force`` is False.
        DeliveryFailed: Slack refused or was unreachable; kept in the outbox as failed.
        ShareInProgress: another process is sending the same share.
    """
    if not text.strip():
        raise SendRefused("The message is empty; write something to go with the card.")
    outbox = outbox or Outbox(db)
    notes: list[str] = []
    target = destination.channel_id
    if destination.kind == "slack":
        target = _user_email(db, user_id)
    if destination.kind == "webhook":
        if card_png is not None:
            notes.append(WEBHOOK_CANNOT_CARRY_IMAGE)
        card_png = None
        if webhook is None:
            raise SendRefused("No webhook is configured to send through.")
    elif slack is None:
        raise SendRefused("No Slack connection is configured to send through.")

    entry = outbox.record(
        user_id=user_id,
        channel=destination.kind,
        text=text,
        target=target,
        milestone=milestone,
        week=week,
        card_png=card_png,
        force=force,
    )
    entry = outbox.deliver(entry.share_id, slack=slack, webhook=webhook, force=force)
    return SendResult(
        share_id=entry.share_id,
        channel=entry.slack_channel or "webhook",
        ts=entry.slack_ts,
        file_id=entry.slack_file_id,
        sent_at=entry.sent_at or entry.updated_at,
        notes=tuple(notes),
        entry=entry,
    )


CardMaker = Callable[[Database, str, str | None, str | None, str], PreparedCard]


def prepare_card(
    db: Database, user_id: str, milestone: str | None, week: str | None, channel: str
) -> PreparedCard:
    """Render the milestone's card and fill its message for ``channel``.

    Picks the user's latest milestone of kind ``milestone`` (any kind when None). The
    message's ``{link}`` is the advocate's referral link when a signup URL or product URL
    is set.

    Raises:
        SendRefused: the user has no such milestone, or the message cannot be filled.
    """
    from plm_desktop import cards, messages
    from plm_desktop.messages.context import message_context
    from plm_desktop.scoring.milestones import milestones_of_user
    from plm_desktop.sharing.links import SIGNUP_URL_SETTING, share_link

    found = [
        m
        for m in milestones_of_user(db, user_id)
        if (milestone is None or m.kind == milestone) and (week is None or m.week == week)
    ]
    if not found:
        what = f"{milestone} milestone" if milestone else "milestone"
        raise SendRefused(f"User {user_id} has no {what} yet, so there is no card to send.")
    chosen = found[-1]

    brand = cards.load_brand(db)
    spec = cards.card_for_milestone(db, user_id, kind=chosen.kind, week=chosen.week)
    png = cards.encode_png(cards.render_card(spec, brand, size="linkedin"))
    base_url = db.get_setting(SIGNUP_URL_SETTING) or brand.product_url or None
    link = None
    if base_url:
        link = share_link(db, user_id, source="slack", campaign=chosen.kind, base_url=base_url)
    context = message_context(db, user_id, chosen.kind, chosen.week, link=link, brand=brand)
    try:
        text = messages.fill_message(channel, context, templates=messages.load_templates(db))
    except (messages.MissingPlaceholders, messages.MessageTooLong) as exc:
        raise SendRefused(f"The message cannot be sent as written: {exc}.") from None
    return PreparedCard(user_id, chosen.kind, chosen.week, text, png)


def send_card(
    db: Database,
    *,
    user_id: str,
    destination: Destination,
    milestone: str | None = None,
    week: date | str | None = None,
    force: bool = False,
    tokens: TokenStore | None = None,
    http: httpx.Client | None = None,
    make_card: CardMaker = prepare_card,
    env: Mapping[str, str] | None = None,
) -> SendResult:
    """Send the user's milestone card with its message, as the founder asked.

    Args:
        db: the database.
        user_id: the user.
        destination: DM by email, a channel id, or the webhook.
        milestone: the milestone kind (latest of any kind when None).
        week: the milestone's week, when the user crossed the kind more than once.
        force: send even though this card was sent before.
        tokens: the secret store (the machine's when None).
        http: the httpx client (tests pass one).
        make_card: renders the card and fills the text.
        env: environment for ``SLACK_API_URL`` (``os.environ`` when None).

    Raises:
        SendRefused, DuplicateShare, DeliveryFailed, ShareInProgress: see
        :func:`send_prepared`.
    """
    week_text = week.isoformat() if isinstance(week, date) else week
    message_channel = "slack-channel" if destination.kind != "slack" else "slack"
    prepared = make_card(db, user_id, milestone, week_text, message_channel)
    tokens = tokens or open_token_store()
    env = os.environ if env is None else env
    slack = webhook = None
    try:
        if destination.kind == "webhook":
            webhook = webhook_client(tokens=tokens, http=http)
        else:
            slack = slack_client(db, tokens=tokens, http=http, env=env)
        return send_prepared(
            db,
            user_id=user_id,
            destination=destination,
            text=prepared.text,
            card_png=prepared.png,
            milestone=prepared.milestone,
            week=prepared.week,
            force=force,
            slack=slack,
            webhook=webhook,
        )
    finally:
        for client in (slack, webhook):
            if client is not None:
                client.close()


def connection_report(
    db: Database | None = None, *, tokens: TokenStore | None = None, http=None
) -> str:
    """ "Test connection": the workspace, the bot and the missing scopes, in words.

    Raises:
        SendRefused: no token saved.
        SlackError: Slack refused the token (its sentence says what to do).
    """
    with slack_client(db, tokens=tokens, http=http) as client:
        return client.auth_test().summary()


__all__ += ["SlackError", "connection_report"]
