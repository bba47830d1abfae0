"""``plm-desktop send``, ``slack-test`` and ``slack-token`` end to end, and the token's secrecy."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from plm_desktop import logsetup
from plm_desktop.cli import main
from plm_desktop.store import open_database

EMAIL = "ada@example.com"


@pytest.fixture
def log_handlers():
    """Undo the handlers ``main()`` installs, so later tests do not write to this log."""
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_plm_handler", False):
            root.removeHandler(handler)
            handler.close()


@pytest.fixture
def won(db_path):
    """A database where Ada crossed the 100-tasks milestone in the week of 2026-11-30."""
    with open_database(db_path) as db, db.transaction() as conn:
        conn.execute(
            "INSERT INTO users (user_id, email, name, company, title) "
            "VALUES ('u1', ?, 'Ada Lovelace', 'Analytical Engines', 'Engineer')",
            (EMAIL,),
        )
        conn.execute(
            "INSERT INTO milestones (user_id, kind, week, value, detail, detected_at) "
            "VALUES ('u1', 'task_100', '2026-11-30', 104, '{\"threshold\": 100}', "
            "'2026-12-01T09:00:00+00:00')"
        )
    return db_path


def test_send_dm_prints_channel_and_timestamp_and_leaks_no_token(
    won, slack_env, capsys, log_handlers, plm_home
):
    slack_env.add_user(EMAIL, "ada")
    slack_env.inject("files.completeUploadExternal", status=500)  # a warning-worthy retry

    code = main(["-v", "--db", str(won), "send", "--user", "u1", "--slack-dm"])
    out, err = capsys.readouterr()

    assert code == 0, err
    [message] = slack_env.messages
    assert message.channel == slack_env.dm_channel_of(EMAIL)
    assert f"sent to {message.channel} at {message.ts}" in out
    from plm_desktop.sharing.send import prepare_card

    with open_database(won) as db:
        expected = prepare_card(db, "u1", "task_100", "2026-11-30", "slack")
    assert message.text == expected.text and "Ada" in message.text
    assert slack_env.files[message.file_ids[0]].data == expected.png

    token = slack_env.token
    log_text = logsetup.log_file_path().read_text("utf-8")
    assert "share #1 sent" in log_text  # the log was written, and is searched below
    for path in won.parent.glob(won.name + "*"):  # the database, its -wal and -shm files
        assert token.encode() not in path.read_bytes(), path
    assert token not in log_text
    assert token not in out + err


def test_send_twice_refuses_then_force_sends_again(won, slack_env, capsys, log_handlers):
    slack_env.add_user(EMAIL)
    args = ["--db", str(won), "send", "--user", "u1", "--milestone", "task_100", "--slack-dm"]
    assert main(args) == 0
    assert main(args) == 1
    assert "already sent" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0
    assert len(slack_env.messages) == 2


def test_send_to_a_channel_the_bot_is_not_in_exits_1_with_the_sentence(
    won, slack_env, capsys, log_handlers
):
    slack_env.add_channel("C0WINS", member=False)
    code = main(["--db", str(won), "send", "--user", "u1", "--slack-channel", "C0WINS"])
    assert code == 1
    assert "/invite" in capsys.readouterr().err
    assert slack_env.messages == []


def test_send_without_the_milestone_exits_1_and_says_so(won, slack_env, capsys, log_handlers):
    code = main(["--db", str(won), "send", "--user", "u1", "--milestone", "roi", "--slack-dm"])
    assert code == 1
    assert "User u1 has no roi milestone yet" in capsys.readouterr().err
    assert slack_env.calls == []


def test_send_needs_exactly_one_destination(won):
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(won), "send", "--user", "u1"])
    assert caught.value.code == 2


def test_slack_test_reports_workspace_and_missing_scopes(slack_env, capsys, log_handlers):
    slack_env.scopes = ["chat:write", "users:read"]
    assert main(["slack-test"]) == 0
    out = capsys.readouterr().out
    assert "Connected to Loopback Workspace as plmbot" in out
    assert "im:write, users:read.email, files:write" in out


def test_slack_test_with_a_bad_token_exits_1_with_reconnect(
    slack_env, monkeypatch, capsys, log_handlers
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong")
    assert main(["slack-test"]) == 1
    err = capsys.readouterr().err
    assert "Reconnect Slack" in err and "xoxb-wrong" not in err


def test_slack_token_set_reads_stdin_into_the_keyring(secret_service, plm_home):
    token = "xoxb-from-stdin-0001"
    done = subprocess.run(
        [sys.executable, "-m", "plm_desktop", "slack-token", "set"],
        input=token + "\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "saved (keyring)" in done.stdout and token not in done.stdout + done.stderr
    found = subprocess.run(
        ["secret-tool", "lookup", "service", "plm-desktop", "username", "slack-bot-token"],
        capture_output=True,
        text=True,
    )
    assert found.stdout.strip() == token


def test_slack_token_set_without_a_keyring_refuses_to_pretend(no_secret_service):
    done = subprocess.run(
        [sys.executable, "-m", "plm_desktop", "slack-token", "set"],
        input="xoxb-nowhere-to-go\n",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "No system keyring" in done.stderr


def test_a_full_send_leaves_no_token_in_the_database_log_or_output(
    db, db_path, slack_peer, capsys, log_handlers
):
    """The same search without the card renderer: a card send, a retry and a failure."""
    import httpx

    from plm_desktop.sharing.outbox import DeliveryFailed
    from plm_desktop.sharing.secrets import TokenStore
    from plm_desktop.sharing.send import Destination, send_prepared, slack_client

    logsetup.configure(verbose=True)
    db.conn.execute("INSERT INTO users (user_id, email) VALUES ('u1', ?)", (EMAIL,))
    slack_peer.add_user(EMAIL)
    tokens = TokenStore(env={"SLACK_BOT_TOKEN": slack_peer.token}, use_keyring=False)
    env = {"SLACK_API_URL": slack_peer.url}
    slack_peer.inject("files.getUploadURLExternal", status=500)
    with httpx.Client(timeout=2) as http:
        client = slack_client(db, tokens=tokens, http=http, env=env)
        result = send_prepared(
            db,
            user_id="u1",
            destination=Destination.dm(),
            text="Well done, Ada!",
            card_png=b"\x89PNG fake card",
            milestone="task_100",
            slack=client,
        )
        print(result)
        with pytest.raises(DeliveryFailed) as caught:
            send_prepared(
                db,
                user_id="u1",
                destination=Destination.channel("C0MISSING"),
                text="Ada wins",
                slack=client,
            )
        print(caught.value, repr(caught.value), repr(client))
    db.conn.execute("PRAGMA wal_checkpoint(FULL)")

    out, err = capsys.readouterr()
    log_text = logsetup.log_file_path().read_text("utf-8")
    assert len(slack_peer.messages) == 1 and "share #2 failed" in log_text
    assert "HTTP Request: POST" in log_text  # verbose logging was on
    assert "example.com" not in log_text  # the email stays out of the log too
    token = slack_peer.token
    for path in db_path.parent.glob(db_path.name + "*"):
        assert token.encode() not in path.read_bytes(), path
    assert token not in log_text
    assert token not in out + err


def test_send_by_webhook_posts_the_text_and_says_the_card_stays_behind(
    won, slack_env, monkeypatch, capsys, log_handlers
):
    monkeypatch.setenv("SLACK_WEBHOOK_URL", slack_env.webhook_url)
    assert main(["--db", str(won), "send", "--user", "u1", "--webhook"]) == 0
    out, err = capsys.readouterr()
    assert "sent to webhook at" in out
    assert "can only post text" in err
    [payload] = slack_env.webhook_messages
    assert "Ada" in payload["text"] and set(payload) == {"text"}
    assert slack_env.files == {}


def test_send_by_webhook_without_one_saved_exits_1(
    won, slack_env, no_secret_service, capsys, log_handlers
):
    assert main(["--db", str(won), "send", "--user", "u1", "--webhook"]) == 1
    assert "No Slack webhook URL is saved" in capsys.readouterr().err
