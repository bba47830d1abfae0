"""A Slack Web API peer on loopback for the tests: a real HTTP server, strict about the rules.

The peer implements the methods PLM Desktop calls (``auth.test``, ``users.lookupByEmail``,
``conversations.open``, ``files.getUploadURLExternal``, the upload URL,
``files.completeUploadExternal``, ``chat.postMessage``) and an incoming webhook. It keeps
every message and file it receives, and it checks each call against the method
definitions in ``../shared/slack-api-ref/`` (beside the repository): the HTTP method,
required and known arguments, JSON bodies only where allowed, and the scopes of the test
token. A call that breaks a definition is answered with an error *and* recorded in
:attr:`SlackPeer.violations`; the fixture fails the test if any were recorded.

Faults are injected per method with :meth:`SlackPeer.inject`: an HTTP status (429 with
``Retry-After``, 500), a Slack error code (refused at injection time when the method's
definition cannot return it), a slow answer, or a dropped connection, each either before
the peer acts on the call or after it (so "Slack did it but the answer was lost" can be
played).

It is registered as a pytest plugin in ``tests/conftest.py``; fixtures: ``slack_peer``
(a running peer) and ``slack_env`` (the peer's URL and token in the environment).
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import itertools
import json
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

REF_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "slack-api-ref"

# Errors Slack documents for every Web API method, on top of each method's own list.
COMMON_ERRORS = frozenset(
    {
        "access_denied",
        "account_inactive",
        "deprecated_endpoint",
        "enterprise_is_restricted",
        "fatal_error",
        "internal_error",
        "invalid_arg_name",
        "invalid_arguments",
        "invalid_auth",
        "invalid_charset",
        "invalid_form_data",
        "invalid_post_type",
        "missing_post_type",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "ratelimited",
        "request_timeout",
        "service_unavailable",
        "team_access_not_granted",
        "team_added_to_org",
        "token_expired",
        "token_revoked",
        "two_factor_setup_required",
    }
)
WEBHOOK_ERRORS = frozenset(
    {
        "invalid_payload",
        "user_not_found",
        "channel_not_found",
        "channel_is_archived",
        "action_prohibited",
        "posting_to_general_channel_denied",
        "too_many_attachments",
        "no_service",
        "no_text",
        "invalid_token",
    }
)
UPLOAD = "upload"
WEBHOOK = "webhook"
DEFAULT_SCOPES = ("chat:write", "im:write", "users:read", "users:read.email", "files:write")


def load_reference(ref_dir: Path = REF_DIR) -> dict[str, dict[str, Any]]:
    """The method definitions, by method name; raises when the folder is missing."""
    files = sorted(ref_dir.glob("*.json")) if ref_dir.is_dir() else []
    if not files:
        raise RuntimeError(
            f"the Slack method definitions are missing: expected {ref_dir}/*.json "
            "(the shared folder beside the repository). The Slack tests cannot run without "
            "them."
        )
    return {path.stem: json.loads(path.read_text("utf-8")) for path in files}


@dataclass
class Fault:
    """One injected misbehaviour for the next call to a method."""

    status: int | None = None
    error: str | None = None
    needed: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    after: bool = False


@dataclass
class PeerFile:
    """A file reserved with ``files.getUploadURLExternal``."""

    file_id: str
    filename: str
    length: int
    data: bytes | None = None
    uploads: int = 0
    shared_in: dict[str, str] = field(default_factory=dict)  # channel -> ts
    title: str | None = None


@dataclass
class PeerMessage:
    """A message that reached a conversation."""

    channel: str
    text: str
    ts: str
    file_ids: list[str]
    via: str


class SlackPeer:
    """The loopback Slack. Start with :meth:`start`, stop with :meth:`stop`.

    Args:
        reference: method definitions from :func:`load_reference`.
        scopes: scopes granted to the bot token.
    """

    def __init__(self, reference: dict[str, dict[str, Any]], scopes=DEFAULT_SCOPES) -> None:
        self.reference = reference
        self.token = "xoxb-peer-" + secrets.token_hex(12)
        self.scopes = list(scopes)
        self.send_scope_header = True
        self.team, self.team_id = "Loopback Workspace", "T0LOOP"
        self.bot_name, self.bot_user_id, self.bot_id = "plmbot", "U0BOT", "B0BOT"
        self.messages_tab_enabled = True
        self.users: dict[str, dict[str, str]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.files: dict[str, PeerFile] = {}
        self.messages: list[PeerMessage] = []
        self.webhook_messages: list[dict[str, Any]] = []
        self.calls: list[tuple[str, str]] = []
        self.violations: list[str] = []
        self.repeat_completions = 0
        self.webhook_path = "/services/T0LOOP/B0HOOK/" + secrets.token_hex(8)
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life -------------------------------------------------------------------------

    def start(self) -> SlackPeer:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        handler = type("Handler", (_Handler,), {"peer": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="slack-peer",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; slow answers in flight are cut short."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    @property
    def root(self) -> str:
        assert self._server is not None, "peer not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The Web API base URL (what ``SLACK_API_URL`` should be)."""
        return self.root + "/api/"

    @property
    def webhook_url(self) -> str:
        return self.root + self.webhook_path

    # -- the workspace ----------------------------------------------------------------

    def add_user(self, email: str, name: str = "") -> str:
        """Add a workspace member; returns their Slack user id."""
        with self._lock:
            user_id = f"U{next(self._ids):07d}"
            self.users[email.lower()] = {"id": user_id, "name": name or email.split("@")[0]}
            return user_id

    def add_channel(
        self, channel_id: str, name: str = "", *, member: bool = True, archived: bool = False
    ) -> None:
        """Add a channel the bot may or may not be in."""
        with self._lock:
            self.channels[channel_id] = {
                "name": name or channel_id.lower(),
                "member": member,
                "archived": archived,
                "is_im": False,
            }

    def inject(self, method: str, *, times: int = 1, **fault: Any) -> None:
        """Misbehave on the next ``times`` calls to ``method`` (``upload``/``webhook`` too).

        Raises:
            ValueError: the fault names an error code the method cannot return.
        """
        spec = Fault(**fault)
        if spec.error is not None:
            if method == WEBHOOK:
                allowed = WEBHOOK_ERRORS
            elif method in self.reference:
                allowed = COMMON_ERRORS | set(self.reference[method].get("errors", {}))
            else:
                allowed = frozenset()
            if spec.error not in allowed:
                raise ValueError(f"{method} cannot return the error {spec.error!r}")
        if method not in self.reference and method not in (UPLOAD, WEBHOOK):
            raise ValueError(f"{method} is not a method the reference defines")
        with self._lock:
            self._faults.setdefault(method, deque()).extend(Fault(**fault) for _ in range(times))

    def next_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            return queue.popleft() if queue else None

    def violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)

    def messages_in(self, channel: str) -> list[PeerMessage]:
        return [m for m in self.messages if m.channel == channel]

    def dm_channel_of(self, email: str) -> str:
        """The DM conversation id the peer gives the user with this email."""
        return "D" + self.users[email.lower()]["id"][1:]

    def _new_ts(self) -> str:
        return f"1764000000.{next(self._ids):06d}"

    # -- the methods ------------------------------------------------------------------

    def call(self, method: str, args: dict[str, str]) -> dict[str, Any]:
        """Act on an authorised, well-formed call; returns the JSON answer."""
        act = getattr(self, "_m_" + method.replace(".", "_"), None)
        if act is None:
            self.violation(f"{method}: defined in the reference but not played by the peer")
            return {"ok": False, "error": "internal_error"}
        with self._lock:
            return act(args)

    def _m_auth_test(self, args):
        return {
            "ok": True,
            "url": "https://loopback.slack.invalid/",
            "team": self.team,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    def _m_users_lookupByEmail(self, args):
        user = self.users.get(args["email"].lower())
        if user is None:
            return {"ok": False, "error": "users_not_found"}
        return {
            "ok": True,
            "user": {"id": user["id"], "name": user["name"], "profile": {"email": args["email"]}},
        }

    def _m_conversations_open(self, args):
        ids = [u for u in args.get("users", "").split(",") if u]
        if not ids:
            return {"ok": False, "error": "users_list_not_supplied"}
        known = {u["id"] for u in self.users.values()}
        if any(u not in known for u in ids):
            return {"ok": False, "error": "user_not_found"}
        if len(ids) > 1:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        channel_id = "D" + ids[0][1:]
        already = channel_id in self.channels
        self.channels.setdefault(
            channel_id, {"name": ids[0], "member": True, "archived": False, "is_im": True}
        )
        return {"ok": True, "already_open": already, "channel": {"id": channel_id}}

    def _m_files_getUploadURLExternal(self, args):
        try:
            length = int(args["length"])
        except ValueError:
            self.violation(f"getUploadURLExternal: length {args['length']!r} is not a number")
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = PeerFile(file_id, args["filename"], length)
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.root}/upload/{file_id}"}

    def _m_files_completeUploadExternal(self, args):
        try:
            entries = json.loads(args["files"])
            ids = [entry["id"] for entry in entries]
        except (ValueError, TypeError, KeyError):
            self.violation(f"completeUploadExternal: files is not a JSON list: {args['files']!r}")
            return {"ok": False, "error": "invalid_arguments"}
        for entry in entries:
            peer_file = self.files.get(entry["id"])
            if peer_file is None or peer_file.data is None:
                return {"ok": False, "error": "file_not_found"}
        channel = args.get("channel_id")
        if channel:
            refusal = self._refuse_post(channel, archived_error="posting_to_channel_denied")
            if refusal:
                return refusal
        files = [self.files[i] for i in ids]
        if channel and all(channel in f.shared_in for f in files):
            # The same file ids named again for the same channel: Slack's upload session
            # is already complete, so nothing new is posted (see the outbox's docstring).
            self.repeat_completions += 1
        elif channel:
            ts = self._new_ts()
            self.messages.append(
                PeerMessage(channel, args.get("initial_comment", ""), ts, ids, "files")
            )
            for peer_file in files:
                peer_file.shared_in[channel] = ts
        for entry, peer_file in zip(entries, files, strict=True):
            peer_file.title = entry.get("title") or peer_file.filename
        kind = "private" if channel and channel.startswith("D") else "public"
        return {
            "ok": True,
            "files": [
                {
                    "id": f.file_id,
                    "title": f.title,
                    "created": 1764000000,
                    "user": self.bot_user_id,
                    "shares": {kind: {c: [{"ts": t}] for c, t in f.shared_in.items()}},
                }
                for f in files
            ],
        }

    def _m_chat_postMessage(self, args):
        channel = args["channel"]
        refusal = self._refuse_post(channel, archived_error="is_archived")
        if refusal:
            return refusal
        if self.channels[channel]["is_im"] and not self.messages_tab_enabled:
            return {"ok": False, "error": "messages_tab_disabled"}
        text = args.get("text")
        if not text and not args.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        self.messages.append(PeerMessage(channel, text or "", ts, [], "chat"))
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": text, "ts": ts}}

    def _refuse_post(self, channel: str, *, archived_error: str) -> dict[str, Any] | None:
        info = self.channels.get(channel)
        if info is None:
            return {"ok": False, "error": "channel_not_found"}
        if info["archived"]:
            return {"ok": False, "error": archived_error}
        if not info["member"]:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def receive_upload(self, file_id: str, data: bytes) -> int:
        with self._lock:
            peer_file = self.files.get(file_id)
            if peer_file is None:
                return 404
            if len(data) != peer_file.length:
                self.violation(
                    f"upload of {file_id}: {len(data)} bytes, {peer_file.length} announced"
                )
                return 400
            peer_file.data = data
            peer_file.uploads += 1
            return 200


class _Handler(BaseHTTPRequestHandler):
    peer: SlackPeer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write, so keep-alive answers are not held back by
    # Nagle's algorithm waiting on the client's delayed ACK (~40 ms a call).
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the tests read the peer's state, not its access log."""

    def do_GET(self) -> None:  # noqa: N802
        self._route("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    # -- routing ----------------------------------------------------------------------

    def _route(self, verb: str) -> None:
        peer = self.peer
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if parts.path.startswith("/api/"):
            method = parts.path[len("/api/") :]
            with peer._lock:
                peer.calls.append((method, verb))
            self._api(method, verb, parts.query, body)
        elif parts.path.startswith("/upload/") and verb == "POST":
            self._with_fault(UPLOAD, lambda: self._upload(parts.path.rsplit("/", 1)[1], body))
        elif parts.path == peer.webhook_path and verb == "POST":
            self._with_fault(WEBHOOK, lambda: self._webhook(body))
        elif parts.path.startswith("/services/"):
            self._send(404, b"no_service", "text/plain")
        else:
            peer.violation(f"{verb} {parts.path}: no such endpoint")
            self._send(404, b"not found", "text/plain")

    def _api(self, method: str, verb: str, query: str, body: bytes) -> None:
        peer = self.peer
        definition = peer.reference.get(method)
        if definition is None:
            peer.violation(f"{method}: not a method in the reference (retired or unknown)")
            self._json(404, {"ok": False, "error": "unknown_method"})
            return
        if verb != definition["http_method"]:
            peer.violation(f"{method}: called with {verb}, defined as {definition['http_method']}")
            self._json(405, {"ok": False, "error": "invalid_post_type"})
            return
        args = self._args(method, definition, verb, query, body)
        if args is None:
            self._json(200, {"ok": False, "error": "invalid_arguments"})
            return

        token = args.pop("token", None)
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
        if not token:
            self._json(200, {"ok": False, "error": "not_authed"})
            return
        if token != peer.token:
            self._json(200, {"ok": False, "error": "invalid_auth"})
            return

        schema = definition.get("args", {})
        known = set(schema.get("properties", {}))
        missing = [a for a in schema.get("required", []) if a != "token" and a not in args]
        unknown = [a for a in args if a not in known]
        if missing or unknown:
            peer.violation(f"{method}: missing arguments {missing}, unknown arguments {unknown}")
            self._json(200, {"ok": False, "error": "invalid_arguments"})
            return

        needed = self._needed_scope(method, definition, args)
        if needed is not None:
            self._json(
                200,
                {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": needed,
                    "provided": ",".join(peer.scopes),
                },
            )
            return

        self._with_fault(method, lambda: self._json(200, peer.call(method, args)))

    def _args(self, method, definition, verb, query, body) -> dict[str, str] | None:
        peer = self.peer
        if verb == "GET":
            return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if query:
            peer.violation(f"{method}: POST with arguments in the query string")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if kind == "application/json":
            if not definition.get("json_input_supported"):
                peer.violation(f"{method}: JSON body, but the method takes form arguments only")
                return None
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                peer.violation(f"{method}: body is not JSON")
                return None
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        if kind == "application/x-www-form-urlencoded" or not body:
            text = body.decode("utf-8")
            return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
        peer.violation(f"{method}: unexpected body type {kind!r}")
        return None

    def _needed_scope(self, method, definition, args) -> str | None:
        if definition.get("no_scope_required"):
            return None
        accepted = definition.get("scope", {}).get("bot", [])
        if method == "conversations.open" and "users" in args:
            accepted = ["im:write"] if "," not in args["users"] else ["mpim:write"]
        if not accepted or any(scope in self.peer.scopes for scope in accepted):
            return None
        return accepted[0]

    # -- faults -----------------------------------------------------------------------

    def _with_fault(self, method: str, act) -> None:
        peer = self.peer
        fault = peer.next_fault(method)
        if fault is None:
            act()
            return
        if fault.after:
            # The peer acts on the call, then the answer is slow or lost.
            saved = self.wfile
            self.wfile = io.BytesIO()
            act()
            answer = self.wfile.getvalue()
            self.wfile = saved
            if fault.delay and peer._stopping.wait(fault.delay):
                return
            if fault.drop:
                self.close_connection = True
                return
            self.wfile.write(answer)
            return
        if fault.delay and peer._stopping.wait(fault.delay):
            return
        if fault.drop:
            self.close_connection = True
            return
        if fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(int(fault.retry_after))
            error = fault.error or ("ratelimited" if fault.status == 429 else "internal_error")
            if method in (UPLOAD, WEBHOOK):
                self._send(fault.status, error.encode(), "text/plain", headers)
            else:
                self._json(fault.status, {"ok": False, "error": error}, headers)
            return
        if fault.error is not None:
            if method == WEBHOOK:
                self._send(
                    400 if fault.error != "no_service" else 404, fault.error.encode(), "text/plain"
                )
                return
            answer = {"ok": False, "error": fault.error}
            if fault.error == "missing_scope":
                answer.update(needed=fault.needed or "", provided=",".join(peer.scopes))
            self._json(200, answer)
            return
        act()

    # -- the non-API endpoints --------------------------------------------------------

    def _upload(self, file_id: str, body: bytes) -> None:
        kind = self.headers.get("Content-Type") or ""
        data = body
        if kind.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + kind.encode() + b"\r\n\r\n" + body
            )
            parts = [
                p
                for p in message.iter_parts()
                if p.get_param("name", header="content-disposition") == "file"
            ]
            if len(parts) != 1:
                self.peer.violation(f"upload of {file_id}: no single 'file' part")
                self._send(400, b"bad form", "text/plain")
                return
            data = parts[0].get_payload(decode=True) or b""
        status = self.peer.receive_upload(file_id, data)
        self._send(status, f"OK - {len(data)}".encode(), "text/plain")

    def _webhook(self, body: bytes) -> None:
        peer = self.peer
        try:
            payload = json.loads(body)
        except ValueError:
            self._send(400, b"invalid_payload", "text/plain")
            return
        if not payload.get("text"):
            self._send(400, b"no_text", "text/plain")
            return
        with peer._lock:
            peer.webhook_messages.append(payload)
        self._send(200, b"ok", "text/plain")

    # -- answers ----------------------------------------------------------------------

    def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        extra = dict(headers or {})
        if self.peer.send_scope_header:
            extra["X-OAuth-Scopes"] = ",".join(self.peer.scopes)
        self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8", extra)

    def _send(self, status, payload: bytes, kind: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def slack_peer():
    """A running loopback Slack; fails the test if the client broke a method definition."""
    peer = SlackPeer(load_reference()).start()
    yield peer
    peer.stop()
    assert not peer.violations, "calls broke the Slack method definitions:\n" + "\n".join(
        peer.violations
    )


@pytest.fixture
def slack_env(slack_peer: SlackPeer, monkeypatch: pytest.MonkeyPatch) -> SlackPeer:
    """The peer's URL in ``SLACK_API_URL`` and its bot token in ``SLACK_BOT_TOKEN``."""
    monkeypatch.setenv("SLACK_API_URL", slack_peer.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", slack_peer.token)
    return slack_peer
