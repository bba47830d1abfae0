"""A small Slack Web API client on httpx: the calls a win card needs, and nothing else.

The client knows the current file flow (``files.getUploadURLExternal``, the bytes to the
returned upload URL, ``files.completeUploadExternal``). The retired ``files.upload``
method is never called. Every refusal from Slack becomes a :class:`SlackError` whose
``str()`` is a sentence a founder can act on; the token never appears in an exception,
a log line or a ``repr``.

Transient trouble is absorbed here: an HTTP 429 is waited out for as long as its
``Retry-After`` asks, server errors, timeouts and dropped connections are retried with a
bounded, growing pause, and messages are paced to at most one a second per channel.
What is left after the retries reaches the caller as a :class:`SlackError` with
``transient=True`` so the outbox can keep the message as failed.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
API_URL_ENV = "SLACK_API_URL"
API_URL_SETTING = "slack.api_url"

NEEDED_SCOPES: tuple[str, ...] = (
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "files:write",
)
"""Bot token scopes the app asks for: DMs, channel posts, lookup by email, card upload."""

MESSAGE_INTERVAL_S = 1.0
"""Slack's guidance: at most one message a second into the same channel."""

_APPS_PAGE = "https://api.slack.com/apps"
_RECONNECT = (
    "Reconnect Slack: in your Slack app's settings ({apps}) open OAuth & Permissions, copy "
    "the Bot User OAuth Token (it starts with xoxb-) and save it again in PLM Desktop."
)
_SCOPE_PURPOSE = {
    "chat:write": "post messages",
    "im:write": "open a direct message with a user",
    "users:read": "see the people in your workspace",
    "users:read.email": "find a user by email address",
    "files:write": "upload the win card image",
    "channels:manage": "open conversations",
}


def api_base_url(settings: Any = None, env: Mapping[str, str] | None = None) -> str:
    """The Web API root to talk to, always ending in ``/``.

    ``SLACK_API_URL`` in the environment wins (tests, GovSlack, corporate proxies), then
    the ``slack.api_url`` setting saved with the database, then ``https://slack.com/api/``.

    Args:
        settings: anything with ``get_setting(key, default)`` (a ``Database``), or None.
        env: the environment to read; ``os.environ`` when None.
    """
    env = os.environ if env is None else env
    url = env.get(API_URL_ENV) or (
        settings.get_setting(API_URL_SETTING) if settings is not None else None
    )
    url = (url or DEFAULT_API_URL).strip()
    return url if url.endswith("/") else url + "/"


def sentence_for(
    code: str,
    *,
    method: str = "",
    needed: str | None = None,
    subject: str | None = None,
) -> str:
    """The founder-facing sentence for a Slack error code.

    Args:
        code: Slack's ``error`` value (``invalid_auth``, ``missing_scope``...).
        method: the Web API method that failed, named in sentences that need it.
        needed: for ``missing_scope``, the scope Slack said it needed.
        subject: the email or channel id the call was about, when there is one.
    """
    about = subject or "this conversation"
    if code in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
        why = {
            "invalid_auth": "Slack did not accept the saved bot token.",
            "not_authed": "No Slack bot token is saved yet.",
            "token_revoked": "The Slack bot token was revoked (the app was removed or "
            "reinstalled).",
            "account_inactive": "The Slack app's bot user has been deactivated.",
        }[code]
        return f"{why} {_RECONNECT.format(apps=_APPS_PAGE)}"
    if code == "missing_scope":
        scope = needed or "a required"
        purpose = _SCOPE_PURPOSE.get(needed or "", f"call {method or 'this method'}")
        return (
            f"The Slack app lacks the {scope} permission it needs to {purpose}. At {_APPS_PAGE}"
            f" open your app > OAuth & Permissions > Bot Token Scopes, add {scope}, click "
            "'Reinstall to Workspace', then save the new token in PLM Desktop."
        )
    sentences = {
        "users_not_found": f"{about} is not a member of your Slack workspace, so the app "
        "cannot send them a direct message. Check the email in your usage data, or post the "
        "card to a channel instead.",
        "user_not_found": f"Slack does not know the user {about}. Check the user in your "
        "usage data.",
        "channel_not_found": f"Slack cannot find the channel {about}. Check the channel ID "
        "(in Slack: open the channel, click its name, the ID is at the bottom of 'About'); "
        "for a private channel, invite the app first.",
        "not_in_channel": f"The app is not a member of channel {about}. In Slack, open the "
        "channel and type /invite @<your app's name>, then send again.",
        "is_archived": f"Channel {about} is archived. Unarchive it in Slack or choose "
        "another channel.",
        "posting_to_channel_denied": f"Slack does not let the app post in {about} (it may be "
        "archived, read-only or restricted to admins). Choose another channel or ask a "
        "workspace admin.",
        "messages_tab_disabled": "The app cannot send direct messages because its Messages "
        f"tab is turned off. At {_APPS_PAGE} open your app > App Home, turn on 'Messages "
        "Tab' (and allow users to send messages), then send again.",
        "file_uploads_disabled": "File uploads are turned off in your Slack workspace, so "
        "the card cannot be attached. Ask a workspace admin to allow uploads, or send the "
        "message by webhook (text only).",
        "file_uploads_except_images_disabled": "Your Slack workspace only allows image "
        "uploads and refused the card file. Ask a workspace admin to check upload settings.",
        "ratelimited": "Slack is limiting how fast the app can send right now. The message "
        "is kept in the outbox; send it again in a few minutes.",
        "timeout": "Slack did not answer in time, even after several tries. The message is "
        "kept in the outbox as failed; retry when your connection is back.",
        "unreachable": "Slack could not be reached (no connection, or the connection kept "
        "dropping). The message is kept in the outbox as failed; retry when you are online.",
        "server_error": "Slack kept answering with a server error. The message is kept in "
        "the outbox as failed; retry in a few minutes.",
        "unknown_outcome": "The connection to Slack broke after the message was sent, so it "
        f"may or may not have arrived in {about}. Check Slack, then send again with "
        "--force if it is missing.",
        "invalid_webhook": "The saved Slack webhook URL is no longer valid (the webhook was "
        "removed or the channel deleted). Create a new incoming webhook in your Slack app "
        "and save its URL again.",
        "webhook_refused": "The Slack webhook refused the message. Check the webhook's "
        "channel in your Slack app's Incoming Webhooks page.",
        "upload_refused": "Slack did not accept the card upload. The message is kept in "
        "the outbox; send it again to retry with a fresh upload.",
        "internal_error": "Slack had an internal error. Try again in a few minutes.",
    }
    sentences["rate_limited"] = sentences["ratelimited"]
    if code in sentences:
        return sentences[code]
    where = f" to {method}" if method else ""
    return f"Slack refused the call{where} with '{code}'. The message is kept in the outbox."


class SlackError(Exception):
    """Slack refused a call, or could not be reached after the retries.

    ``str()`` is the founder-facing sentence; ``code`` is Slack's error code (or one of
    ``timeout``, ``unreachable``, ``server_error``, ``unknown_outcome``).

    Attributes:
        code: the machine-readable reason.
        method: the Web API method (or ``upload``/``webhook``).
        needed: the scope Slack asked for on ``missing_scope``.
        transient: True when a later retry may succeed without the founder changing
            anything (rate limits, timeouts, server errors).
    """

    TRANSIENT = frozenset(
        {"ratelimited", "rate_limited", "timeout", "unreachable", "server_error", "internal_error"}
    )

    def __init__(
        self,
        code: str,
        *,
        method: str = "",
        needed: str | None = None,
        subject: str | None = None,
    ) -> None:
        self.code = code
        self.method = method
        self.needed = needed
        self.subject = subject
        self.transient = code in self.TRANSIENT
        self.sentence = sentence_for(code, method=method, needed=needed, subject=subject)
        super().__init__(self.sentence)


@dataclass(frozen=True)
class Connection:
    """What ``auth.test`` says about the saved token: the answer to "Test connection".

    Attributes:
        team: the workspace name.
        team_id: the workspace id.
        bot_name: the bot user's name.
        bot_id: the bot id, or None for a user token.
        user_id: the bot user's id.
        url: the workspace URL.
        scopes: scopes granted to the token (from ``X-OAuth-Scopes``); None when Slack
            did not say.
        missing_scopes: needed scopes the token lacks.
    """

    team: str
    team_id: str
    bot_name: str
    bot_id: str | None
    user_id: str
    url: str
    scopes: tuple[str, ...] | None
    missing_scopes: tuple[str, ...]

    def summary(self) -> str:
        """One or two sentences for the settings page and ``slack-test``."""
        text = f"Connected to {self.team} as {self.bot_name}."
        if self.scopes is None:
            return text + " Slack did not list the token's scopes; a send will tell."
        if not self.missing_scopes:
            return text + " All needed permissions are granted."
        return text + " " + missing_scopes_sentence(self.missing_scopes)


def missing_scopes_sentence(missing: tuple[str, ...] | list[str]) -> str:
    """What to do about scopes the token lacks."""
    listed = ", ".join(missing)
    return (
        f"Missing permissions: {listed}. At {_APPS_PAGE} open your app > OAuth & "
        "Permissions > Bot Token Scopes, add them, click 'Reinstall to Workspace', then save "
        "the new token."
    )


@dataclass(frozen=True)
class SlackUser:
    """A workspace member found by email."""

    id: str
    name: str


@dataclass(frozen=True)
class UploadTicket:
    """Slack's answer to ``files.getUploadURLExternal``: where to put the bytes."""

    file_id: str
    upload_url: str


@dataclass(frozen=True)
class PostedMessage:
    """A message Slack accepted: the conversation and, when Slack said, its timestamp."""

    channel: str
    ts: str | None
    file_id: str | None = None


@dataclass
class Pacer:
    """Keeps at least ``interval`` seconds between messages into the same channel."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    interval: float = MESSAGE_INTERVAL_S
    _last: dict[str, float] = field(default_factory=dict)

    def remember(self, channel: str, seconds_ago: float) -> None:
        """Note a message sent to ``channel`` earlier, e.g. by another run of the app."""
        when = self.clock() - max(0.0, seconds_ago)
        self._last[channel] = max(self._last.get(channel, when), when)

    def wait_turn(self, channel: str) -> None:
        """Sleep until ``channel`` may receive another message, then claim the slot."""
        last = self._last.get(channel)
        if last is not None:
            wait = last + self.interval - self.clock()
            if wait > 0:
                log.debug("pacing: waiting %.2fs before the next message to %s", wait, channel)
                self.sleep(wait)
        self._last[channel] = self.clock()


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before a call is left to the outbox as failed.

    Attributes:
        attempts: tries for server errors, timeouts and dropped connections.
        backoff: first pause in seconds; doubled each time up to ``max_backoff``.
        max_backoff: longest pause between tries.
        rate_limit_waits: how many 429 answers are waited out before giving up.
        max_retry_after: longest ``Retry-After`` honoured; longer asks fail now.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    rate_limit_waits: int = 5
    max_retry_after: float = 120.0

    def pause(self, attempt: int) -> float:
        """The pause after failed try number ``attempt`` (1-based)."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)


class RequestUrlFilter(logging.Filter):
    """Keeps emails and secret URLs out of httpx's own "HTTP Request: ..." log lines.

    httpx logs every request URL at INFO: that would put the email of a
    ``users.lookupByEmail`` call and the secret path of a webhook or upload URL in the
    log file. Query strings are dropped, and only Web API paths are shown.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 2 and isinstance(args[1], httpx.URL):
            url = args[1]
            path = url.path if "/api/" in url.path else "/[hidden]"
            record.args = (args[0], str(url.copy_with(path=path, query=None)), *args[2:])
        return True


def _hide_request_urls() -> None:
    """Install :class:`RequestUrlFilter` on the httpx logger once."""
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, RequestUrlFilter) for f in httpx_log.filters):
        httpx_log.addFilter(RequestUrlFilter())


class _Http:
    """The retry loop shared by the Web API client and the webhook."""

    def __init__(
        self,
        http: httpx.Client | None,
        sleep: Callable[[float], None],
        retry: RetryPolicy,
        timeout: float,
    ) -> None:
        _hide_request_urls()
        self._own = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self._sleep = sleep
        self._retry = retry

    def close(self) -> None:
        if self._own:
            self._http.close()

    def send(
        self, what: str, build: Callable[[], httpx.Request], *, idempotent: bool
    ) -> httpx.Response:
        """Send the request ``build`` makes, retrying what is safe to retry.

        A request that may have reached Slack (read timeout, connection dropped after
        sending) is repeated only when ``idempotent``; otherwise the outcome is unknown
        and the caller hears ``unknown_outcome`` instead of risking a second message.
        """
        failures = 0
        waits = 0
        while True:
            reason = ""
            try:
                response = self._http.send(build())
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                reason, code = type(exc).__name__, "unreachable"
            except httpx.TimeoutException as exc:
                if not idempotent:
                    raise SlackError("unknown_outcome", method=what) from None
                reason, code = type(exc).__name__, "timeout"
            except httpx.TransportError as exc:
                if not idempotent:
                    raise SlackError("unknown_outcome", method=what) from None
                reason, code = type(exc).__name__, "unreachable"
            else:
                if response.status_code == 429:
                    waits += 1
                    delay = _retry_after(response)
                    if waits > self._retry.rate_limit_waits or delay > self._retry.max_retry_after:
                        raise SlackError("ratelimited", method=what)
                    log.info("%s rate limited; waiting %.1fs as Slack asked", what, delay)
                    self._sleep(delay)
                    continue
                if response.status_code < 500:
                    return response
                reason, code = f"HTTP {response.status_code}", "server_error"

            failures += 1
            if failures >= self._retry.attempts:
                log.warning("%s failed %d times (%s); giving up", what, failures, reason)
                raise SlackError(code, method=what)
            pause = self._retry.pause(failures)
            log.info("%s failed (%s); retry %d in %.1fs", what, reason, failures, pause)
            self._sleep(pause)


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


class SlackClient:
    """The Slack Web API calls PLM Desktop makes, with a bot token.

    Args:
        token: the bot token (``xoxb-...``); kept private, never shown.
        base_url: the Web API root; see :func:`api_base_url`.
        http: the httpx client to use (tests pass one; closed by its owner).
        clock: monotonic seconds, for pacing.
        sleep: how to wait (tests pass a recorder).
        retry: the retry policy.
        timeout: seconds to wait for each answer.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        timeout: float = 20.0,
    ) -> None:
        if not token:
            raise SlackError("not_authed", method="auth.test")
        self.__token = token
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._transport = _Http(http, sleep, retry or RetryPolicy(), timeout)
        self._http = self._transport._http
        self.pacer = Pacer(clock=clock, sleep=sleep)

    def __repr__(self) -> str:
        return f"SlackClient(base_url={self.base_url!r}, token=<hidden>)"

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        self._transport.close()

    def __enter__(self) -> SlackClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the calls -------------------------------------------------------------------------

    def auth_test(self) -> Connection:
        """Check the token: workspace, bot name and which needed scopes are missing."""
        body, response = self._call("auth.test", "POST", {})
        header = response.headers.get("X-OAuth-Scopes")
        scopes = None if header is None else tuple(s.strip() for s in header.split(",") if s)
        missing = () if scopes is None else tuple(s for s in NEEDED_SCOPES if s not in scopes)
        connection = Connection(
            team=body.get("team") or "",
            team_id=body.get("team_id") or "",
            bot_name=body.get("user") or "",
            bot_id=body.get("bot_id"),
            user_id=body.get("user_id") or "",
            url=body.get("url") or "",
            scopes=scopes,
            missing_scopes=missing,
        )
        log.info(
            "Slack connection checked: team %s, %d scopes missing",
            connection.team_id,
            len(missing),
        )
        return connection

    def lookup_user_by_email(self, email: str) -> SlackUser:
        """The workspace member with this email (``users.lookupByEmail``)."""
        body, _ = self._call("users.lookupByEmail", "GET", {"email": email}, subject=email)
        user = body.get("user") or {}
        return SlackUser(id=user["id"], name=user.get("name") or user.get("real_name") or "")

    def open_dm(self, slack_user_id: str) -> str:
        """The id of the direct-message conversation with a user (``conversations.open``).

        Opening an existing DM returns the same id, so this is safe to repeat.
        """
        body, _ = self._call(
            "conversations.open", "POST", {"users": slack_user_id}, subject=slack_user_id
        )
        return body["channel"]["id"]

    def get_upload_url(
        self, filename: str, length: int, alt_text: str | None = None
    ) -> UploadTicket:
        """Reserve a file id and an upload URL (``files.getUploadURLExternal``).

        Returns:
            UploadTicket: the file id to complete later and where to put the bytes.
        """
        args: dict[str, Any] = {"filename": filename, "length": str(length)}
        if alt_text:
            args["alt_txt"] = alt_text[:1000]
        body, _ = self._call("files.getUploadURLExternal", "POST", args, json_body=False)
        return UploadTicket(file_id=body["file_id"], upload_url=body["upload_url"])

    def upload_bytes(self, ticket: UploadTicket, data: bytes, filename: str) -> None:
        """Put the file's bytes at the ticket's upload URL (a plain POST, no token).

        Repeating the upload to the same URL replaces the bytes, so it is retried freely.
        """

        def build() -> httpx.Request:
            return self._http.build_request(
                "POST",
                ticket.upload_url,
                files={"file": (filename, data, "image/png")},
            )

        response = self._transport.send("upload", build, idempotent=True)
        if response.status_code != 200:
            log.warning("upload of %s answered HTTP %d", ticket.file_id, response.status_code)
            raise SlackError("upload_refused", method="upload")
        log.debug("uploaded %d bytes for file %s", len(data), ticket.file_id)

    def complete_upload(
        self,
        ticket_file_id: str,
        *,
        channel_id: str,
        title: str,
        initial_comment: str,
    ) -> PostedMessage:
        """Share an uploaded file into a channel with the message as its comment.

        ``files.completeUploadExternal`` names the file by the id reserved earlier, so
        repeating the call after a timeout names the same file again rather than making a
        new one; see :meth:`plm_desktop.sharing.outbox.Outbox.deliver` for why that keeps
        a retry from posting twice.
        """
        self.pacer.wait_turn(channel_id)
        files = json.dumps([{"id": ticket_file_id, "title": title}])
        body, _ = self._call(
            "files.completeUploadExternal",
            "POST",
            {"files": files, "channel_id": channel_id, "initial_comment": initial_comment},
            subject=channel_id,
        )
        shared = (body.get("files") or [{}])[0]
        return PostedMessage(
            channel=channel_id, ts=_share_ts(shared, channel_id), file_id=shared.get("id")
        )

    def post_message(self, channel: str, text: str) -> PostedMessage:
        """Post a text-only message (``chat.postMessage``).

        Not repeated after a timeout: without a way to ask Slack whether the first try
        arrived, a repeat could post twice, so the outcome is reported as unknown.
        """
        self.pacer.wait_turn(channel)
        body, _ = self._call(
            "chat.postMessage",
            "POST",
            {"channel": channel, "text": text},
            subject=channel,
            idempotent=False,
        )
        return PostedMessage(channel=body.get("channel") or channel, ts=body.get("ts"))

    # -- plumbing --------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        http_method: str,
        args: dict[str, Any],
        *,
        subject: str | None = None,
        json_body: bool = False,
        idempotent: bool = True,
    ) -> tuple[dict[str, Any], httpx.Response]:
        url = self.base_url + method
        headers = {"Authorization": f"Bearer {self.__token}"}

        def build() -> httpx.Request:
            if http_method == "GET":
                return self._http.build_request("GET", url, params=args, headers=headers)
            if json_body:
                return self._http.build_request("POST", url, json=args, headers=headers)
            return self._http.build_request("POST", url, data=args, headers=headers)

        response = self._transport.send(method, build, idempotent=idempotent)
        try:
            body = response.json()
        except ValueError:
            log.warning("%s answered HTTP %d with no JSON", method, response.status_code)
            raise SlackError("invalid_response", method=method, subject=subject) from None
        if not isinstance(body, dict) or not body.get("ok"):
            code = str(body.get("error") or "unknown_error") if isinstance(body, dict) else ""
            needed = body.get("needed") if isinstance(body, dict) else None
            log.info("%s refused: %s", method, code)
            raise SlackError(code, method=method, needed=needed, subject=subject)
        return body, response


def _share_ts(file_obj: dict[str, Any], channel_id: str) -> str | None:
    """The message timestamp of a file's share into ``channel_id``, when Slack gave one."""
    shares = file_obj.get("shares") or {}
    for kind in ("public", "private"):
        for share in (shares.get(kind) or {}).get(channel_id) or []:
            if share.get("ts"):
                return str(share["ts"])
    return None


WEBHOOK_CANNOT_CARRY_IMAGE = (
    "An incoming webhook can only post text, so the card image is not included; "
    "connect a bot token to send the card itself."
)


class WebhookClient:
    """An incoming webhook: text into one fixed channel, no images, no lookups.

    Args:
        url: the webhook URL; a secret like the token, never shown.
        http: the httpx client to use.
        clock: monotonic seconds, for pacing.
        sleep: how to wait.
        retry: the retry policy.
        timeout: seconds to wait for each answer.
    """

    CHANNEL = "webhook"

    def __init__(
        self,
        url: str,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy | None = None,
        timeout: float = 20.0,
    ) -> None:
        self.__url = url
        self._transport = _Http(http, sleep, retry or RetryPolicy(), timeout)
        self._http = self._transport._http
        self.pacer = Pacer(clock=clock, sleep=sleep)

    def __repr__(self) -> str:
        return "WebhookClient(url=<hidden>)"

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        self._transport.close()

    def post_text(self, text: str) -> PostedMessage:
        """Post ``text``; a timeout is reported as an unknown outcome, never repeated."""
        self.pacer.wait_turn(self.CHANNEL)

        def build() -> httpx.Request:
            return self._http.build_request("POST", self.__url, json={"text": text})

        response = self._transport.send("webhook", build, idempotent=False)
        if response.status_code == 200:
            return PostedMessage(channel=self.CHANNEL, ts=None)
        answer = response.text.strip()[:80]
        log.info("webhook refused with HTTP %d: %s", response.status_code, answer)
        if response.status_code in (403, 404, 410) or answer in ("invalid_token", "no_service"):
            raise SlackError("invalid_webhook", method="webhook")
        if answer in ("channel_is_archived", "channel_not_found"):
            raise SlackError(
                answer.replace("channel_is_archived", "is_archived"), method="webhook"
            )
        raise SlackError("webhook_refused", method="webhook")
