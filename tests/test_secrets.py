"""The token store against a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import logging
import stat
import subprocess

import pytest

from plm_desktop.sharing.secrets import (
    BOT_TOKEN,
    SERVICE_NAME,
    SecretStoreError,
    TokenStore,
    find_keyring_backend,
    forget_session_secrets,
    open_token_store,
)

TOKEN = "xoxb-1111-2222-abcdefABCDEF"


def test_the_token_is_kept_in_the_secret_service(secret_service):
    store = TokenStore(env={})
    assert store.status.kind == "keyring" and store.status.durable
    assert store.set_bot_token(TOKEN + "\n").kind == "keyring"

    # A new store (as after a restart) reads it back from gnome-keyring itself.
    assert TokenStore(env={}).bot_token() == TOKEN
    found = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE_NAME, "username", BOT_TOKEN],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == TOKEN


def test_forgetting_removes_it_from_the_keyring(secret_service):
    store = TokenStore(env={})
    store.set_bot_token(TOKEN)
    store.delete(BOT_TOKEN)
    assert TokenStore(env={}).bot_token() is None


def test_the_environment_variable_is_read_first(secret_service):
    TokenStore(env={}).set_bot_token(TOKEN)
    store = TokenStore(env={"SLACK_BOT_TOKEN": "xoxb-from-env"})
    assert store.bot_token() == "xoxb-from-env"
    assert store.source_of(BOT_TOKEN) == "env"


def test_the_webhook_url_is_a_secret_too(secret_service):
    TokenStore(env={}).set_webhook_url("https://hooks.slack.com/services/T/B/x")
    assert TokenStore(env={}).webhook_url() == "https://hooks.slack.com/services/T/B/x"


def test_without_a_keyring_the_token_lives_for_the_session_only(no_secret_service, plm_home):
    assert find_keyring_backend() is None
    store = open_token_store()
    status = store.set_bot_token(TOKEN)
    assert (status.kind, status.durable) == ("session", False)
    assert "only until PLM Desktop closes" in status.message
    assert store.bot_token() == TOKEN and store.source_of(BOT_TOKEN) == "session"

    # Another store of the same run (the window's send path) sees it; a new run does not.
    assert open_token_store().bot_token() == TOKEN
    forget_session_secrets()
    assert open_token_store().bot_token() is None
    written = [p for p in plm_home.rglob("*") if p.is_file()] if plm_home.exists() else []
    assert all(TOKEN not in p.read_text(errors="replace") for p in written)


def test_a_plaintext_file_only_when_opted_in(no_secret_service, plm_home, caplog):
    caplog.set_level(logging.WARNING)
    status = open_token_store(allow_plaintext=True).set_bot_token(TOKEN)
    assert status.kind == "plaintext" and "plain file" in status.message
    [secret_file] = [p for p in (plm_home / "config").iterdir()]
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert "plain file" in caplog.text and TOKEN not in caplog.text

    # Read back by a store that did not opt in (the file exists because the founder did).
    assert open_token_store().bot_token() == TOKEN


def test_something_that_is_not_a_token_is_refused(no_secret_service):
    with pytest.raises(SecretStoreError, match="xoxb-"):
        TokenStore(env={}).set_bot_token("https://example.com")


def test_the_store_never_shows_the_token(no_secret_service):
    store = TokenStore(env={})
    store.set_bot_token(TOKEN)
    assert TOKEN not in repr(store) and TOKEN not in str(store.status)
