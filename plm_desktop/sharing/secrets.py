"""Where the Slack bot token and webhook URL are kept: the system keyring, never the database.

Reading order for the bot token: the ``SLACK_BOT_TOKEN`` environment variable (scripted
runs, CI), then the system keyring under the app's service name, then a plaintext file
if and only if the founder created one on purpose, then what was given during this
session. When the machine has no keyring (a bare Linux box without a Secret Service),
:class:`TokenStore` says so in :attr:`TokenStore.status` and keeps secrets in memory for
the session only; it never writes a file unless asked with ``allow_plaintext=True``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import keyring.errors

from plm_desktop import APP_ID

log = logging.getLogger(__name__)

SERVICE_NAME = APP_ID
"""The keyring service the app's secrets are filed under."""

TOKEN_ENV = "SLACK_BOT_TOKEN"
WEBHOOK_ENV = "SLACK_WEBHOOK_URL"
BOT_TOKEN = "slack-bot-token"
WEBHOOK_URL = "slack-webhook-url"
_ENV_OF = {BOT_TOKEN: TOKEN_ENV, WEBHOOK_URL: WEBHOOK_ENV}

PLAINTEXT_WARNING = (
    "The Slack secrets are saved in a plain file readable by anyone with access to this "
    "user account ({path}). Install a keyring (e.g. gnome-keyring) and save them again to "
    "remove it."
)
NO_KEYRING_MESSAGE = (
    "No system keyring was found on this computer, so the Slack token is kept only until "
    "PLM Desktop closes. Install a Secret Service such as gnome-keyring (or set "
    "SLACK_BOT_TOKEN for scripted runs) to keep it between sessions."
)


# Secrets kept for this run of the app only (no keyring): shared by every TokenStore of
# the process, so the window's settings page and its send path see the same token.
_SESSION_SECRETS: dict[str, str] = {}


def forget_session_secrets() -> None:
    """Drop every secret kept for this session only (tests; "Forget" in settings)."""
    _SESSION_SECRETS.clear()


class SecretStoreError(Exception):
    """A secret could not be saved or read; ``str()`` says what to do."""


@dataclass(frozen=True)
class StoreStatus:
    """Where secrets go on this machine, for the settings page.

    Attributes:
        kind: ``keyring``, ``session`` (memory only) or ``plaintext``.
        backend: the keyring backend's name, when there is one.
        durable: True when a saved secret survives closing the app.
        message: a sentence for the founder.
    """

    kind: str
    backend: str | None
    durable: bool
    message: str


def find_keyring_backend() -> keyring.backend.KeyringBackend | None:
    """The best real keyring backend available right now, or None.

    Looked up afresh on every call (``keyring.get_keyring()`` caches its first answer),
    honouring ``PYTHON_KEYRING_BACKEND`` and keyring's config file. Backends that only
    refuse (``fail``, ``null``) or chain others count as none.
    """
    chosen = keyring.core.load_env() or keyring.core.load_config()
    if chosen is None:
        # Imports every installed backend module (its list is cached, so is not used:
        # viability is asked again below, as the session bus may have changed).
        keyring.backend.get_all_keyring()
        viable = []
        for cls in keyring.backend.KeyringBackend.get_viable_backends():
            if cls.__module__.endswith((".fail", ".null", ".chainer")):
                continue
            try:
                viable.append((cls.priority, cls))
            except Exception:  # noqa: BLE001 - a backend's probe may raise anything
                continue
        viable = [pair for pair in viable if pair[0] > 0]
        if not viable:
            return None
        chosen = max(viable, key=lambda pair: pair[0])[1]()
    if type(chosen).__module__.endswith((".fail", ".null")):
        return None
    return chosen


class TokenStore:
    """The app's Slack secrets: bot token and incoming webhook URL.

    Args:
        backend: the keyring backend; found with :func:`find_keyring_backend` when
            omitted. Pass ``None`` explicitly via ``use_keyring=False`` for memory only.
        env: environment to read ``SLACK_BOT_TOKEN``/``SLACK_WEBHOOK_URL`` from.
        plaintext_path: the opt-in plaintext file (read when it exists; written only with
            ``allow_plaintext``).
        allow_plaintext: the founder explicitly accepted a plaintext file.
        use_keyring: False to skip the system keyring entirely.
    """

    def __init__(
        self,
        *,
        backend: keyring.backend.KeyringBackend | None = None,
        env: Mapping[str, str] | None = None,
        plaintext_path: Path | None = None,
        allow_plaintext: bool = False,
        use_keyring: bool = True,
    ) -> None:
        self._env = os.environ if env is None else env
        self._backend = backend if backend is not None or not use_keyring else None
        if self._backend is None and use_keyring:
            self._backend = find_keyring_backend()
        self._plaintext_path = plaintext_path
        self._allow_plaintext = allow_plaintext
        self._session = _SESSION_SECRETS

    def __repr__(self) -> str:
        return f"TokenStore(kind={self.status.kind!r})"

    @property
    def status(self) -> StoreStatus:
        """Where a secret saved now would go."""
        if self._backend is not None:
            name = type(self._backend).__module__.rsplit(".", 1)[-1]
            return StoreStatus("keyring", name, True, f"Secrets are kept in the {name} keyring.")
        if self._allow_plaintext and self._plaintext_path is not None:
            return StoreStatus(
                "plaintext",
                None,
                True,
                PLAINTEXT_WARNING.format(path=self._plaintext_path),
            )
        return StoreStatus("session", None, False, NO_KEYRING_MESSAGE)

    # -- the bot token and the webhook ------------------------------------------------

    def bot_token(self) -> str | None:
        """The bot token to use now, or None when none is saved."""
        return self.get(BOT_TOKEN)

    def set_bot_token(self, token: str) -> StoreStatus:
        """Save the bot token; returns where it went."""
        token = token.strip()
        if not token.startswith("xox"):
            raise SecretStoreError(
                "That does not look like a Slack token: a bot token starts with xoxb-. Copy "
                "the Bot User OAuth Token from your Slack app's OAuth & Permissions page."
            )
        return self.set(BOT_TOKEN, token)

    def webhook_url(self) -> str | None:
        """The incoming webhook URL, or None."""
        return self.get(WEBHOOK_URL)

    def set_webhook_url(self, url: str) -> StoreStatus:
        """Save the incoming webhook URL (it is a secret too: anyone with it can post)."""
        url = url.strip()
        if not url.startswith(("https://", "http://")):
            raise SecretStoreError(
                "That is not a webhook URL: it should start with https://hooks.slack.com/."
            )
        return self.set(WEBHOOK_URL, url)

    def source_of(self, name: str) -> str | None:
        """Where :meth:`get` would find ``name``: env, keyring, plaintext, session or None."""
        if self._env.get(_ENV_OF.get(name, "")):
            return "env"
        if self._keyring_get(name):
            return "keyring"
        if name in self._plaintext():
            return "plaintext"
        if name in self._session:
            return "session"
        return None

    # -- generic ----------------------------------------------------------------------

    def get(self, name: str) -> str | None:
        """A secret by name, from the first place that has it."""
        from_env = self._env.get(_ENV_OF.get(name, ""))
        if from_env:
            return from_env.strip()
        value = self._keyring_get(name)
        if value:
            return value
        return self._plaintext().get(name) or self._session.get(name)

    def set(self, name: str, value: str) -> StoreStatus:
        """Save a secret where :attr:`status` says; falls back to the session on trouble."""
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE_NAME, name, value)
            except keyring.errors.KeyringError as exc:
                log.warning(
                    "the keyring refused to save %s (%s); keeping it for this session only",
                    name,
                    type(exc).__name__,
                )
                self._session[name] = value
                return StoreStatus(
                    "session",
                    None,
                    False,
                    "The system keyring refused to save the secret (it may be locked); it "
                    "is kept only until PLM Desktop closes.",
                )
            self._session.pop(name, None)
            log.info("saved %s in the system keyring", name)
            return self.status
        if self._allow_plaintext and self._plaintext_path is not None:
            values = self._plaintext()
            values[name] = value
            self._write_plaintext(values)
            log.warning(PLAINTEXT_WARNING.format(path=self._plaintext_path))
            return self.status
        self._session[name] = value
        log.warning("no keyring: %s is kept for this session only", name)
        return self.status

    def delete(self, name: str) -> None:
        """Forget a secret everywhere this store can reach (not the environment)."""
        self._session.pop(name, None)
        if self._backend is not None:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE_NAME, name)
        values = self._plaintext()
        if name in values:
            del values[name]
            self._write_plaintext(values)

    # -- plumbing ---------------------------------------------------------------------

    def _keyring_get(self, name: str) -> str | None:
        if self._backend is None:
            return None
        try:
            return self._backend.get_password(SERVICE_NAME, name)
        except keyring.errors.KeyringError as exc:
            log.warning("the keyring could not be read (%s)", type(exc).__name__)
            return None

    def _plaintext(self) -> dict[str, str]:
        path = self._plaintext_path
        if path is None or not path.exists():
            return {}
        values = {}
        for line in path.read_text("utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() in _ENV_OF:
                values[key.strip()] = value.strip()
        return values

    def _write_plaintext(self, values: dict[str, str]) -> None:
        path = self._plaintext_path
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{key}={value}\n" for key, value in sorted(values.items()))
        # Created private from the start, so the secret is never readable by others.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


def plaintext_secrets_path(config_dir: Path) -> Path:
    """Where the opt-in plaintext secrets file lives in the machine-local config folder."""
    return config_dir / "slack-secrets.txt"


def open_token_store(*, allow_plaintext: bool = False) -> TokenStore:
    """The token store the app and the command line use on this machine."""
    from plm_desktop import paths

    return TokenStore(
        plaintext_path=plaintext_secrets_path(paths.config_dir()),
        allow_plaintext=allow_plaintext,
    )
