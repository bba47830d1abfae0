"""The outbox against the loopback peer: record first, resume after crashes, never twice."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import httpx
import pytest

from plm_desktop.sharing.outbox import (
    DeliveryFailed,
    DuplicateShare,
    Outbox,
    ShareInProgress,
    ShareState,
)
from plm_desktop.sharing.send import Destination, SendRefused, send_prepared
from plm_desktop.sharing.slack import SlackClient, WebhookClient

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
EMAIL = "ada@example.com"
TEXT = "Ada, 100 tasks done this quarter. That is real momentum!"


def _no_wait(seconds: float) -> None:
    """Retries and pacing run without real waiting in these tests."""


@pytest.fixture
def http():
    with httpx.Client(timeout=0.5) as client:
        yield client


@pytest.fixture
def slack(slack_peer, http):
    return SlackClient(slack_peer.token, base_url=slack_peer.url, http=http, sleep=_no_wait)


@pytest.fixture
def outbox(db, tmp_path):
    db.conn.execute(
        "INSERT INTO users (user_id, email, name) VALUES ('u1', ?, 'Ada Lovelace')", (EMAIL,)
    )
    return Outbox(db, cards_dir=tmp_path / "cards")


@pytest.fixture
def ada(slack_peer):
    slack_peer.add_user(EMAIL, "ada")
    return slack_peer.dm_channel_of(EMAIL)


def _send(db, outbox, slack, **extra):
    options = dict(
        user_id="u1",
        destination=Destination.dm(),
        text=TEXT,
        card_png=PNG,
        milestone="task_100",
        week="2026-11-30",
        slack=slack,
        outbox=outbox,
    )
    options.update(extra)
    return send_prepared(db, **options)


def test_a_dm_with_the_card_reaches_the_right_user(db, outbox, slack, slack_peer, ada):
    slack_peer.add_user("grace@example.com")
    result = _send(db, outbox, slack)

    [message] = slack_peer.messages
    assert message.channel == ada == result.channel
    assert message.text == TEXT
    assert slack_peer.files[message.file_ids[0]].data == PNG
    assert result.ts == message.ts and result.file_id == message.file_ids[0]
    entry = outbox.get(result.share_id)
    assert (entry.state, entry.text, entry.target, entry.attempts) == ("sent", TEXT, EMAIL, 1)
    assert outbox.card_bytes(entry) == PNG


def test_the_share_is_recorded_before_anything_is_sent(db, outbox, slack, slack_peer, ada):
    slack_peer.inject("users.lookupByEmail", delay=5.0, times=10)
    with pytest.raises(DeliveryFailed) as caught:
        _send(db, outbox, slack)
    entry = caught.value.entry
    assert entry.state == ShareState.FAILED and entry.error_code == "timeout"
    assert entry.text == TEXT and outbox.card_bytes(entry) == PNG
    assert "kept in the outbox" in str(caught.value)


def test_the_same_card_is_not_sent_twice_unless_confirmed(db, outbox, slack, slack_peer, ada):
    first = _send(db, outbox, slack)
    with pytest.raises(DuplicateShare) as caught:
        _send(db, outbox, slack)
    assert caught.value.existing.share_id == first.share_id
    assert "--force" in str(caught.value)
    assert len(slack_peer.messages) == 1

    again = _send(db, outbox, slack, force=True)
    assert again.share_id != first.share_id
    assert len(slack_peer.messages) == 2


def test_another_milestone_or_channel_is_not_a_duplicate(db, outbox, slack, slack_peer, ada):
    slack_peer.add_channel("C0WINS")
    _send(db, outbox, slack)
    _send(db, outbox, slack, milestone="streak_90")
    _send(db, outbox, slack, destination=Destination.channel("C0WINS"))
    assert len(slack_peer.messages) == 3
    assert len(slack_peer.messages_in("C0WINS")) == 1


@pytest.mark.parametrize(
    "method, fault",
    [
        ("files.completeUploadExternal", {"status": 429, "retry_after": 1}),
        ("files.completeUploadExternal", {"status": 500}),
        ("upload", {"status": 500}),
        ("files.getUploadURLExternal", {"drop": True}),
        ("conversations.open", {"delay": 2.0}),
    ],
)
def test_transient_faults_recover_without_a_duplicate(
    db, outbox, slack, slack_peer, ada, method, fault
):
    slack_peer.inject(method, **fault)
    result = _send(db, outbox, slack)
    assert [m.channel for m in slack_peer.messages] == [ada]
    assert outbox.get(result.share_id).state == "sent"


@pytest.mark.parametrize("lost", [{"delay": 2.0}, {"drop": True}])
def test_a_completion_whose_answer_is_lost_is_completed_again_not_reposted(
    db, outbox, slack, slack_peer, ada, lost
):
    slack_peer.inject("files.completeUploadExternal", after=True, **lost)
    result = _send(db, outbox, slack)
    assert len(slack_peer.messages) == 1
    assert slack_peer.repeat_completions == 1
    assert result.ts == slack_peer.messages[0].ts
    assert slack_peer.calls.count(("files.getUploadURLExternal", "POST")) == 1


def test_a_failure_keeps_the_message_and_a_retry_sends_it(db, outbox, slack, slack_peer):
    with pytest.raises(DeliveryFailed) as caught:
        _send(db, outbox, slack, destination=Destination.channel("C0LATER"))
    failed = caught.value.entry
    assert failed.error_code == "channel_not_found" and "C0LATER" in failed.error
    assert failed.text == TEXT

    slack_peer.add_channel("C0LATER")
    result = _send(db, outbox, slack, destination=Destination.channel("C0LATER"))
    assert result.share_id == failed.share_id
    assert outbox.get(result.share_id).attempts == 2
    assert [m.text for m in slack_peer.messages_in("C0LATER")] == [TEXT]


def test_resume_sends_failed_shares_once_slack_is_back(db, outbox, slack, slack_peer, ada):
    slack_peer.inject("auth.test", status=500)  # unrelated method: no effect
    slack_peer.inject("users.lookupByEmail", status=503, times=4)
    with pytest.raises(DeliveryFailed):
        _send(db, outbox, slack)
    assert [e.state for e in outbox.unfinished()] == ["failed"]

    assert outbox.resume(slack=slack) == []  # failed ones wait for the founder's retry
    [outcome] = outbox.resume(slack=slack, include_failed=True)
    assert outcome.state == "sent" and len(slack_peer.messages) == 1
    assert outbox.unfinished() == []


def test_a_stale_upload_reservation_is_replaced_on_retry(db, outbox, slack, slack_peer, ada):
    slack_peer.inject("upload", status=404)
    with pytest.raises(DeliveryFailed) as caught:
        _send(db, outbox, slack)
    assert caught.value.entry.slack_file_id is None
    _send(db, outbox, slack)
    assert len(slack_peer.messages) == 1
    assert slack_peer.calls.count(("files.getUploadURLExternal", "POST")) == 2


def test_a_text_message_with_unknown_outcome_needs_confirmation(
    db, outbox, slack, slack_peer, ada
):
    slack_peer.inject("chat.postMessage", after=True, drop=True)
    with pytest.raises(DeliveryFailed) as caught:
        _send(db, outbox, slack, card_png=None)
    assert caught.value.code == "unknown_outcome"
    with pytest.raises(DuplicateShare, match="may already have arrived"):
        outbox.deliver(caught.value.entry.share_id, slack=slack)
    assert len(slack_peer.messages) == 1

    outbox.deliver(caught.value.entry.share_id, slack=slack, force=True)
    assert len(slack_peer.messages) == 2


def test_the_webhook_sends_text_only_and_says_so(db, outbox, slack_peer, http):
    hook = WebhookClient(slack_peer.webhook_url, http=http, sleep=_no_wait)
    result = send_prepared(
        db,
        user_id="u1",
        destination=Destination.webhook(),
        text=TEXT,
        card_png=PNG,
        milestone="task_100",
        webhook=hook,
        outbox=outbox,
    )
    assert slack_peer.webhook_messages == [{"text": TEXT}]
    assert result.channel == "webhook" and "only post text" in result.notes[0]
    assert outbox.get(result.share_id).card_path is None


def test_a_user_without_email_cannot_get_a_dm(db, outbox, slack):
    db.conn.execute("INSERT INTO users (user_id) VALUES ('u2')")
    with pytest.raises(SendRefused, match="no email"):
        _send(db, outbox, slack, user_id="u2")
    assert outbox.entries() == []


def test_a_share_claimed_by_a_live_process_is_left_alone(db, outbox, slack, slack_peer, ada):
    entry = outbox.record(user_id="u1", channel="slack", text=TEXT, target=EMAIL)
    db.conn.execute(
        "UPDATE outbox SET state = 'sending', claimed_by = ? WHERE share_id = ?",
        (f"{os.uname().nodename}:{os.getppid()}", entry.share_id),
    )
    with pytest.raises(ShareInProgress):
        outbox.deliver(entry.share_id, slack=slack)
    assert slack_peer.messages == []


# -- a real crash between the upload and the completion --------------------------------

_SENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from plm_desktop.sharing.outbox import Outbox
    from plm_desktop.sharing.slack import SlackClient
    from plm_desktop.store import open_database

    db_path, base_url, share_id, cards = sys.argv[1:5]
    token = sys.stdin.readline().strip()
    db = open_database(db_path)
    outbox = Outbox(db, cards_dir=Path(cards))
    outbox.deliver(int(share_id), slack=SlackClient(token, base_url=base_url, timeout=60))
    """
)


def _wait_for(condition, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("slack_acted", [False, True], ids=["before-complete", "after-complete"])
def test_a_crash_between_upload_and_completion_resumes_without_a_second_message(
    db, db_path, outbox, slack, slack_peer, ada, tmp_path, slack_acted
):
    entry = outbox.record(
        user_id="u1",
        channel="slack",
        text=TEXT,
        target=EMAIL,
        milestone="task_100",
        card_png=PNG,
    )
    # The completion hangs (before or after Slack acted on it) until the sender is killed.
    slack_peer.inject("files.completeUploadExternal", delay=60.0, after=slack_acted)
    sender = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _SENDER,
            str(db_path),
            slack_peer.url,
            str(entry.share_id),
            str(tmp_path / "cards"),
        ],
        stdin=subprocess.PIPE,
        text=True,
    )
    sender.stdin.write(slack_peer.token + "\n")
    sender.stdin.close()
    try:
        _wait_for(
            lambda: ("files.completeUploadExternal", "POST") in slack_peer.calls,
            "the sender to call files.completeUploadExternal",
        )
        if slack_acted:
            _wait_for(lambda: len(slack_peer.messages) == 1, "the peer to post the card")
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait()

    crashed = outbox.get(entry.share_id)
    assert (crashed.state, crashed.step) == ("sending", "uploaded")
    assert crashed.slack_file_id in slack_peer.files

    [resumed] = outbox.resume(slack=slack)
    assert resumed.state == "sent"
    [message] = slack_peer.messages
    assert message.file_ids == [crashed.slack_file_id] and message.text == TEXT
    assert slack_peer.files[crashed.slack_file_id].uploads == 1
    assert slack_peer.calls.count(("files.getUploadURLExternal", "POST")) == 1
    assert slack_peer.repeat_completions == (1 if slack_acted else 0)


@pytest.fixture
def log_handlers():
    """Close the handlers ``main()`` installs once the test is over."""
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_plm_handler", False):
            root.removeHandler(handler)
            handler.close()


def test_the_outbox_command_lists_and_retries_failed_shares(
    db, db_path, outbox, slack, slack_env, capsys, log_handlers
):
    from plm_desktop.cli import main

    with pytest.raises(DeliveryFailed):
        _send(db, outbox, slack, destination=Destination.channel("C0LATER"))
    assert main(["--db", str(db_path), "outbox", "--state", "failed"]) == 0
    assert "channel_not_found" in capsys.readouterr().out

    assert main(["--db", str(db_path), "outbox", "--resume"]) == 0  # failed ones wait
    assert slack_env.messages == []
    slack_env.add_channel("C0LATER")
    assert main(["--db", str(db_path), "outbox", "--resume", "--retry-failed"]) == 0
    assert "sent share #1 to C0LATER" in capsys.readouterr().out
    assert [m.text for m in slack_env.messages_in("C0LATER")] == [TEXT]


def test_pacing_counts_sends_recorded_by_an_earlier_run(db, outbox, slack_peer, http, ada):
    """Two ``plm-desktop send`` processes in a row still keep a second between messages."""
    waits: list[float] = []
    now = [500.0]

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    def client() -> SlackClient:  # a new process: a new client with an empty pacer
        return SlackClient(
            slack_peer.token,
            base_url=slack_peer.url,
            http=http,
            sleep=sleep,
            clock=lambda: now[0],
        )

    _send(db, outbox, client())
    assert waits == []
    _send(db, outbox, client(), milestone="streak_90")
    assert len(waits) == 1 and 0.5 < waits[0] <= 1.0
    assert len(slack_peer.messages) == 2


def test_a_retry_after_a_refusal_carries_the_edited_text_and_card(db, outbox, slack, slack_peer):
    with pytest.raises(DeliveryFailed):
        _send(db, outbox, slack, destination=Destination.channel("C0LATER"))
    slack_peer.add_channel("C0LATER")
    new_card = PNG + b"edited"
    result = _send(
        db,
        outbox,
        slack,
        destination=Destination.channel("C0LATER"),
        text="Edited words",
        card_png=new_card,
    )
    [message] = slack_peer.messages
    assert message.text == "Edited words"
    assert slack_peer.files[message.file_ids[0]].data == new_card
    assert outbox.get(result.share_id).text == "Edited words"


def test_a_half_sent_share_keeps_its_recorded_text(db, outbox, slack, slack_peer, ada):
    """After a lost completion answer the old file may be shared: no different repost."""
    slack_peer.inject("files.completeUploadExternal", after=True, drop=True, times=4)
    with pytest.raises(DeliveryFailed) as caught:
        _send(db, outbox, slack)
    assert caught.value.code == "unreachable"
    _send(db, outbox, slack, text="Edited words", card_png=PNG + b"edited")
    [message] = slack_peer.messages
    assert message.text == TEXT
    assert slack_peer.files[message.file_ids[0]].data == PNG


def test_an_old_claim_is_taken_over_even_if_its_process_id_lives(
    db, outbox, slack, slack_peer, ada
):
    """A crashed sender's process id may be reused; the claim's lease runs out anyway."""
    entry = outbox.record(user_id="u1", channel="slack", text=TEXT, target=EMAIL)
    db.conn.execute(
        "UPDATE outbox SET state = 'sending', claimed_by = ?, updated_at = ? WHERE share_id = ?",
        (f"{os.uname().nodename}:{os.getppid()}", "2026-01-01T00:00:00+00:00", entry.share_id),
    )
    assert outbox.deliver(entry.share_id, slack=slack).state == "sent"
    assert len(slack_peer.messages) == 1
