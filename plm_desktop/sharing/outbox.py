"""The outbox: every share is written down before it is sent, and each step as it happens.

A share's life: ``queued`` when recorded, ``sending`` while a process works on it,
``sent`` or ``failed`` at the end; LinkedIn and X shares go straight to
``handed_to_user``. A failed share keeps its text and card, so a retry sends the same
message the founder approved.

Crash safety comes from writing each Slack step before taking the next one:

1. ``resolved``: the conversation id (DM opened or channel chosen) is stored.
2. ``reserved``: the file id and upload URL from ``files.getUploadURLExternal`` are
   stored *before* any byte is uploaded.
3. ``uploaded``: the bytes reached the upload URL.
4. ``sent``: ``files.completeUploadExternal`` answered; its timestamp is stored.

A reserved or uploaded file is invisible in Slack until it is completed, so a send that
stops anywhere before step 4 has posted nothing, and resuming it carries on with the
*same* file id. No new file is reserved and no bytes are uploaded twice after
``uploaded``, which is what keeps a crash between upload and completion from turning
into two messages.

The one moment that cannot be read back is a completion whose answer was lost (timeout
or dropped connection after Slack acted). The Web API methods this app may use offer no
way to list a conversation's messages, so the outbox resolves it by completing the same
file id again: an upload session is completed once, and naming the same file id and
channel again returns the file as already shared instead of posting a second message.
The loopback peer in the tests implements exactly that rule. A text-only message
(``chat.postMessage``, webhooks) has no such handle: when its answer is lost the share
is marked failed with ``unknown_outcome`` and is only sent again when the founder
confirms.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from plm_desktop.sharing.slack import SlackClient, SlackError, UploadTicket, WebhookClient
from plm_desktop.store import Database

log = logging.getLogger(__name__)

SLACK_CHANNELS = ("slack", "slack-channel", "webhook")
CLAIM_LEASE = timedelta(minutes=30)
"""Longer than any send can take with its retries and rate-limit waits."""
HANDOFF_CHANNELS = ("linkedin", "x")


class ShareState(StrEnum):
    """Where a share is in its life."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HANDED_TO_USER = "handed_to_user"


@dataclass(frozen=True)
class OutboxEntry:
    """One row of the outbox: a message to, or a post about, one advocate."""

    share_id: int
    user_id: str
    milestone: str | None
    week: str | None
    channel: str
    target: str | None
    text: str
    card_path: str | None
    card_sha256: str | None
    card_bytes: int | None
    state: str
    step: str | None
    slack_channel: str | None
    slack_file_id: str | None
    upload_url: str | None
    slack_ts: str | None
    error_code: str | None
    error: str | None
    attempts: int
    claimed_by: str | None
    forced: int
    dedupe_key: str
    created_at: str
    updated_at: str
    sent_at: str | None

    @property
    def is_sent(self) -> bool:
        return self.state == ShareState.SENT


_COLUMNS = [f.name for f in fields(OutboxEntry)]


class DuplicateShare(Exception):
    """The same card was already sent to this user for this milestone on this channel.

    Attributes:
        existing: the earlier share.
    """

    def __init__(self, existing: OutboxEntry, *, unknown_outcome: bool = False) -> None:
        self.existing = existing
        if unknown_outcome:
            text = (
                f"Share #{existing.share_id} to {existing.user_id} may already have arrived "
                "(the connection broke after sending). Check Slack; to send it again anyway, "
                "confirm (--force on the command line)."
            )
        else:
            when = existing.sent_at or existing.updated_at
            what = existing.milestone or "this card"
            text = (
                f"{what} was already sent to {existing.user_id} by {existing.channel} on "
                f"{when[:16].replace('T', ' ')} UTC (share #{existing.share_id}). To send it "
                "again, confirm (--force on the command line)."
            )
        super().__init__(text)


class ShareInProgress(Exception):
    """Another window or command is sending this share right now."""


class DeliveryFailed(Exception):
    """Slack refused or could not be reached; the share is kept as failed.

    ``str()`` is the founder-facing sentence.

    Attributes:
        entry: the share as stored after the failure.
        code: the machine-readable reason.
    """

    def __init__(self, entry: OutboxEntry, code: str, sentence: str) -> None:
        self.entry = entry
        self.code = code
        super().__init__(sentence)


def dedupe_key(
    user_id: str, milestone: str | None, week: str | None, channel: str, target: str | None
) -> str:
    """The identity of "this card, this user, this milestone, this channel".

    A DM is the same whatever email it went to; a channel post depends on the channel.
    """
    where = target if channel == "slack-channel" else ""
    return "|".join([user_id, milestone or "", week or "", channel, where or ""])


def _utc_now() -> datetime:
    return datetime.now(UTC)


# Shares this process is sending now; the database claim covers other processes.
_in_flight: set[tuple[str, int]] = set()
_in_flight_lock = threading.Lock()


class Outbox:
    """The durable record of shares, and the crash-safe way to send them.

    Args:
        db: the database.
        cards_dir: where rendered cards are saved (content-addressed PNG files).
        now: the clock, returning an aware UTC datetime.
    """

    def __init__(
        self,
        db: Database,
        *,
        cards_dir: Path | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if cards_dir is None:
            from plm_desktop import paths

            cards_dir = paths.data_dir() / "outbox-cards"
        self.db = db
        self.cards_dir = cards_dir
        self._now = now
        self._me = f"{socket.gethostname()}:{os.getpid()}"

    # -- recording --------------------------------------------------------------------

    def record(
        self,
        *,
        user_id: str,
        channel: str,
        text: str,
        target: str | None = None,
        milestone: str | None = None,
        week: str | None = None,
        card_png: bytes | None = None,
        force: bool = False,
    ) -> OutboxEntry:
        """Write a share down before sending it; returns the entry to deliver.

        An unsent share with the same identity (see :func:`dedupe_key`) is returned as it
        is, so a retry sends the message that was approved the first time.

        Raises:
            DuplicateShare: it was sent already and ``force`` is False.
        """
        if channel not in SLACK_CHANNELS:
            raise ValueError(f"not a Slack channel kind: {channel!r}")
        key = dedupe_key(user_id, milestone, week, channel, target)
        card = self._save_card(card_png) if card_png is not None else None

        with self.db.transaction() as conn:
            rows = [
                self._entry(r)
                for r in conn.execute(
                    f"SELECT {', '.join(_COLUMNS)} FROM outbox WHERE dedupe_key = ? "
                    "ORDER BY share_id DESC",
                    (key,),
                )
            ]
            unsent = [r for r in rows if not r.is_sent]
            if unsent:
                log.info(
                    "share #%d for %s is not sent yet; reusing it", unsent[0].share_id, user_id
                )
                self._refresh_unsent(conn, unsent[0], text, card)
                return self.get(unsent[0].share_id)
            if rows and not force:
                raise DuplicateShare(rows[0])
            share_id = self._insert(
                conn,
                user_id=user_id,
                milestone=milestone,
                week=week,
                channel=channel,
                target=target,
                text=text,
                card=card,
                state=ShareState.QUEUED,
                forced=1 if rows else 0,
                key=key,
            )
        log.info("recorded share #%d (%s) for %s", share_id, channel, user_id)
        return self.get(share_id)

    def _refresh_unsent(self, conn, entry: OutboxEntry, text: str, card) -> None:
        """Let a retry carry the founder's edited text or card, when that is safe.

        Safe means Slack cannot have posted the old version: the send never reached the
        completion step, or Slack refused it outright. After a crash or a timeout at the
        completion the old file id may already be shared, so the share is resumed as
        recorded instead (changing it could post a second, different message).
        """
        digest = card[1] if card is not None else None
        if text == entry.text and digest == entry.card_sha256:
            return
        refused = entry.state == ShareState.FAILED and entry.error_code not in (
            SlackError.TRANSIENT | {"unknown_outcome"}
        )
        if entry.step == "uploaded" and not refused:
            log.info(
                "share #%d may be half sent; keeping its recorded text and card", entry.share_id
            )
            return
        busy = entry.state == ShareState.SENDING and entry.claimed_by not in (None, self._me)
        if busy and self._claim_is_live(entry):
            return
        path, _, size = card if card is not None else (None, None, None)
        values: dict[str, object] = {"text": text, "updated_at": self._stamp()}
        if digest != entry.card_sha256:
            values.update(
                card_path=path,
                card_sha256=digest,
                card_bytes=size,
                slack_file_id=None,
                upload_url=None,
                step="resolved" if entry.slack_channel else None,
            )
        assignments = ", ".join(f"{name} = ?" for name in values)
        conn.execute(
            f"UPDATE outbox SET {assignments} WHERE share_id = ?",
            (*values.values(), entry.share_id),
        )
        log.info("share #%d will be sent with the edited text or card", entry.share_id)

    def record_handoff(
        self,
        *,
        user_id: str,
        channel: str,
        text: str,
        url: str,
        milestone: str | None = None,
        week: str | None = None,
        card_png: bytes | None = None,
    ) -> OutboxEntry:
        """Log a LinkedIn or X post put in the founder's hands (``handed_to_user``)."""
        if channel not in HANDOFF_CHANNELS:
            raise ValueError(f"not a hand-off channel: {channel!r}")
        card = self._save_card(card_png) if card_png is not None else None
        with self.db.transaction() as conn:
            share_id = self._insert(
                conn,
                user_id=user_id,
                milestone=milestone,
                week=week,
                channel=channel,
                target=url,
                text=text,
                card=card,
                state=ShareState.HANDED_TO_USER,
                forced=0,
                key=dedupe_key(user_id, milestone, week, channel, None),
            )
        log.info("share #%d (%s) handed to the founder for %s", share_id, channel, user_id)
        return self.get(share_id)

    # -- reading ----------------------------------------------------------------------

    def get(self, share_id: int) -> OutboxEntry:
        """One share by id."""
        row = self.db.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM outbox WHERE share_id = ?", (share_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no share #{share_id} in the outbox")
        return self._entry(row)

    def entries(self, *, state: str | None = None, user_id: str | None = None) -> list:
        """Shares, newest first, optionally of one state or one user."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM outbox WHERE 1 = 1"
        params: list[str] = []
        if state is not None:
            sql += " AND state = ?"
            params.append(state)
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        rows = self.db.conn.execute(sql + " ORDER BY share_id DESC", params)
        return [self._entry(r) for r in rows]

    def unfinished(self) -> list[OutboxEntry]:
        """Slack shares not sent yet (queued, interrupted or failed), oldest first."""
        rows = self.db.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM outbox "
            "WHERE state IN ('queued', 'sending', 'failed') ORDER BY share_id"
        )
        return [self._entry(r) for r in rows]

    def card_bytes(self, entry: OutboxEntry) -> bytes | None:
        """The saved card of a share, checked against its recorded hash."""
        if entry.card_path is None:
            return None
        data = Path(entry.card_path).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.card_sha256:
            raise ValueError(f"the saved card of share #{entry.share_id} was changed on disk")
        return data

    # -- sending ----------------------------------------------------------------------

    def deliver(
        self,
        share_id: int,
        *,
        slack: SlackClient | None = None,
        webhook: WebhookClient | None = None,
        force: bool = False,
    ) -> OutboxEntry:
        """Send a recorded share, carrying on from the last step written down.

        See the module docstring for the steps and why a resumed or retried send never
        posts twice.

        Args:
            share_id: the share to send.
            slack: the Web API client (DMs and channel posts).
            webhook: the webhook client (``webhook`` shares).
            force: send a share whose earlier outcome is unknown anyway.

        Returns:
            OutboxEntry: the share, now ``sent``.

        Raises:
            DeliveryFailed: Slack refused or stayed unreachable; the share is ``failed``.
            ShareInProgress: another process is sending it.
            DuplicateShare: the last try may have arrived and ``force`` is False.
        """
        entry = self.get(share_id)
        if entry.is_sent:
            return entry
        if entry.state == ShareState.HANDED_TO_USER:
            raise ValueError(f"share #{share_id} was handed to the founder, not sent")
        if entry.error_code == "unknown_outcome" and not force:
            raise DuplicateShare(entry, unknown_outcome=True)

        token = (str(self.db.path), share_id)
        with _in_flight_lock:
            if token in _in_flight:
                raise ShareInProgress(f"share #{share_id} is being sent right now")
            _in_flight.add(token)
        try:
            entry = self._claim(entry)
            try:
                return self._run_steps(entry, slack, webhook)
            except SlackError as exc:
                return self._fail(entry.share_id, exc)
        finally:
            with _in_flight_lock:
                _in_flight.discard(token)

    def resume(
        self,
        *,
        slack: SlackClient | None = None,
        webhook: WebhookClient | None = None,
        include_failed: bool = False,
    ) -> list[OutboxEntry | Exception]:
        """Carry on with shares a crash or a closed laptop interrupted.

        Interrupted (``sending``) and never-started (``queued``) shares are sent; failed
        ones too when ``include_failed``. One share's failure does not stop the others.

        Returns:
            list: per share, the sent entry or the exception that stopped it.
        """
        wanted = {ShareState.QUEUED, ShareState.SENDING}
        if include_failed:
            wanted.add(ShareState.FAILED)
        outcomes: list[OutboxEntry | Exception] = []
        for entry in self.unfinished():
            if entry.state not in wanted:
                continue
            if entry.channel != "webhook" and slack is None:
                continue
            try:
                outcomes.append(self.deliver(entry.share_id, slack=slack, webhook=webhook))
            except (DeliveryFailed, ShareInProgress, DuplicateShare) as exc:
                outcomes.append(exc)
        return outcomes

    def _pace_from_history(self, pacer, conversation: str) -> None:
        """Tell the pacer when the outbox last sent to ``conversation``.

        The pacer only knows this process's sends; a scripted run starts one process per
        ``send``, so the outbox's own record keeps them a second apart too.
        """
        row = self.db.conn.execute(
            "SELECT MAX(sent_at) FROM outbox WHERE state = 'sent' AND "
            "(slack_channel = ? OR (? = 'webhook' AND channel = 'webhook'))",
            (conversation, conversation),
        ).fetchone()
        if row[0]:
            age = (self._now() - datetime.fromisoformat(row[0])).total_seconds()
            pacer.remember(conversation, age)

    def _run_steps(self, entry, slack, webhook) -> OutboxEntry:
        share_id = entry.share_id
        if entry.channel == "webhook":
            if webhook is None:
                raise SlackError("invalid_webhook", method="webhook")
            self._pace_from_history(webhook.pacer, "webhook")
            webhook.post_text(entry.text)
            return self._mark_sent(share_id, ts=None)
        if slack is None:
            raise SlackError("not_authed", method="auth.test")

        if entry.slack_channel is None:
            if entry.channel == "slack":
                user = slack.lookup_user_by_email(entry.target or "")
                conversation = slack.open_dm(user.id)
            else:
                conversation = entry.target or ""
            entry = self._update(share_id, slack_channel=conversation, step="resolved")

        self._pace_from_history(slack.pacer, entry.slack_channel)
        card = self.card_bytes(entry)
        if card is None:
            posted = slack.post_message(entry.slack_channel, entry.text)
            return self._mark_sent(share_id, ts=posted.ts)

        filename = f"{entry.milestone or 'win'}-card.png"
        if entry.slack_file_id is None:
            ticket = slack.get_upload_url(
                filename, len(card), alt_text=f"Win card: {entry.milestone or 'a win'}"
            )
            entry = self._update(
                share_id,
                slack_file_id=ticket.file_id,
                upload_url=ticket.upload_url,
                step="reserved",
            )
        if entry.step == "reserved":
            ticket = UploadTicket(entry.slack_file_id, entry.upload_url or "")
            try:
                slack.upload_bytes(ticket, card, filename)
            except SlackError as exc:
                if exc.code == "upload_refused":
                    # The reservation went stale; a fresh one is safe (nothing was posted).
                    self._update(share_id, slack_file_id=None, upload_url=None, step="resolved")
                raise
            entry = self._update(share_id, step="uploaded")

        try:
            posted = slack.complete_upload(
                entry.slack_file_id,
                channel_id=entry.slack_channel,
                title=filename,
                initial_comment=entry.text,
            )
        except SlackError as exc:
            if exc.code == "file_not_found":
                self._update(share_id, slack_file_id=None, upload_url=None, step="resolved")
            raise
        return self._mark_sent(share_id, ts=posted.ts)

    # -- state changes ----------------------------------------------------------------

    def _claim(self, entry: OutboxEntry) -> OutboxEntry:
        if entry.state == ShareState.SENDING and entry.claimed_by not in (None, self._me):
            if self._claim_is_live(entry):
                raise ShareInProgress(
                    f"share #{entry.share_id} is being sent by another PLM Desktop "
                    f"({entry.claimed_by})"
                )
            log.info(
                "share #%d was interrupted (%s is gone); resuming at step %s",
                entry.share_id,
                entry.claimed_by,
                entry.step,
            )
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_by = ?, "
                "error_code = NULL, error = NULL, updated_at = ? "
                "WHERE share_id = ? AND updated_at = ?",
                (self._me, self._stamp(), entry.share_id, entry.updated_at),
            ).rowcount
        if changed != 1:
            raise ShareInProgress(f"share #{entry.share_id} changed while being claimed")
        return self.get(entry.share_id)

    def _claim_is_live(self, entry: OutboxEntry) -> bool:
        """Whether another process may still be sending ``entry``.

        Its process must still exist, and must have written a step within
        :data:`CLAIM_LEASE`; an older claim is from a crash whose process id was reused,
        or from another machine that went away.
        """
        age = self._now() - datetime.fromisoformat(entry.updated_at)
        return age < CLAIM_LEASE and _claimant_alive(entry.claimed_by or "")

    def _update(self, share_id: int, **values: object) -> OutboxEntry:
        values["updated_at"] = self._stamp()
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE outbox SET {assignments} WHERE share_id = ?",
                (*values.values(), share_id),
            )
        return self.get(share_id)

    def _mark_sent(self, share_id: int, *, ts: str | None) -> OutboxEntry:
        stamp = self._stamp()
        entry = self._update(
            share_id, state=ShareState.SENT.value, slack_ts=ts, sent_at=stamp, claimed_by=None
        )
        log.info("share #%d sent (%s)", share_id, entry.channel)
        return entry

    def _fail(self, share_id: int, exc: SlackError) -> OutboxEntry:
        entry = self._update(
            share_id,
            state=ShareState.FAILED.value,
            error_code=exc.code,
            error=exc.sentence,
            claimed_by=None,
        )
        log.warning("share #%d failed: %s", share_id, exc.code)
        raise DeliveryFailed(entry, exc.code, exc.sentence) from None

    # -- plumbing ---------------------------------------------------------------------

    def _insert(self, conn: sqlite3.Connection, *, card, state, forced, key, **values) -> int:
        stamp = self._stamp()
        path, digest, size = card if card is not None else (None, None, None)
        cursor = conn.execute(
            "INSERT INTO outbox (user_id, milestone, week, channel, target, text, card_path, "
            "card_sha256, card_bytes, state, forced, dedupe_key, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                values["user_id"],
                values["milestone"],
                values["week"],
                values["channel"],
                values["target"],
                values["text"],
                path,
                digest,
                size,
                str(state),
                forced,
                key,
                stamp,
                stamp,
            ),
        )
        return int(cursor.lastrowid)

    def _save_card(self, data: bytes) -> tuple[str, str, int]:
        """Write the card once, named by its hash; written whole before it is recorded."""
        digest = hashlib.sha256(data).hexdigest()
        self.cards_dir.mkdir(parents=True, exist_ok=True)
        path = self.cards_dir / f"{digest}.png"
        if not path.exists() or path.stat().st_size != len(data):
            partial = path.with_suffix(f".{os.getpid()}.part")
            with open(partial, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        return str(path), digest, len(data)

    def _stamp(self) -> str:
        return self._now().astimezone(UTC).isoformat(timespec="microseconds")

    @staticmethod
    def _entry(row: tuple) -> OutboxEntry:
        return OutboxEntry(*row)


def _claimant_alive(claimed_by: str) -> bool:
    """Whether the process named ``host:pid`` may still be sending."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
