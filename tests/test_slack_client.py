"""The Slack Web API client against the loopback peer: calls, errors, retries, pacing."""

from __future__ import annotations

import httpx
import pytest

from plm_desktop.sharing.slack import (
    DEFAULT_API_URL,
    Pacer,
    RetryPolicy,
    SlackClient,
    SlackError,
    UploadTicket,
    WebhookClient,
    api_base_url,
    sentence_for,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


class Sleeps:
    """Records waits instead of waiting, and moves a fake clock forward."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.now = 1000.0

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(slack_peer, sleeps):
    http = httpx.Client(timeout=0.5)
    yield SlackClient(
        slack_peer.token, base_url=slack_peer.url, http=http, sleep=sleeps, clock=sleeps.clock
    )
    http.close()


# -- the calls ---------------------------------------------------------------------------


def test_auth_test_reports_workspace_bot_and_no_missing_scope(client, slack_peer):
    connection = client.auth_test()
    assert (connection.team, connection.bot_name) == (slack_peer.team, slack_peer.bot_name)
    assert connection.missing_scopes == ()
    assert "All needed permissions" in connection.summary()


def test_auth_test_names_the_scopes_the_token_lacks(client, slack_peer):
    slack_peer.scopes = ["chat:write", "users:read"]
    connection = client.auth_test()
    assert connection.missing_scopes == ("im:write", "users:read.email", "files:write")
    assert "im:write, users:read.email, files:write" in connection.summary()


def test_auth_test_without_a_scope_header_says_it_cannot_tell(client, slack_peer):
    slack_peer.send_scope_header = False
    connection = client.auth_test()
    assert connection.scopes is None and connection.missing_scopes == ()
    assert "did not list" in connection.summary()


def test_card_reaches_the_dm_with_text_and_bytes(client, slack_peer):
    slack_peer.add_user("ada@example.com", "ada")
    user = client.lookup_user_by_email("ada@example.com")
    channel = client.open_dm(user.id)
    ticket = client.get_upload_url("card.png", len(PNG))
    client.upload_bytes(ticket, PNG, "card.png")
    posted = client.complete_upload(
        ticket.file_id, channel_id=channel, title="card.png", initial_comment="Well done!"
    )
    [message] = slack_peer.messages
    assert (message.channel, message.text, message.file_ids) == (
        slack_peer.dm_channel_of("ada@example.com"),
        "Well done!",
        [ticket.file_id],
    )
    assert slack_peer.files[ticket.file_id].data == PNG
    assert posted.ts == message.ts and posted.channel == channel
    assert ("files.upload", "POST") not in slack_peer.calls


def test_a_missing_scope_names_the_scope_and_where_to_add_it(client, slack_peer):
    slack_peer.scopes = ["chat:write", "im:write", "users:read", "files:write"]
    with pytest.raises(SlackError) as caught:
        client.lookup_user_by_email("ada@example.com")
    assert caught.value.code == "missing_scope" and caught.value.needed == "users:read.email"
    text = str(caught.value)
    assert "users:read.email" in text and "Reinstall to Workspace" in text


# -- every documented error becomes its sentence ----------------------------------------

# (error, how the peer produces it, words the founder must read)
ERROR_CASES = {
    "invalid_auth": ("Slack did not accept", "Reconnect"),
    "not_authed": ("No Slack bot token", "Reconnect"),
    "token_revoked": ("revoked", "Reconnect"),
    "account_inactive": ("deactivated", "Reconnect"),
    "users_not_found": ("not a member of your Slack workspace",),
    "channel_not_found": ("cannot find the channel", "C0NONE"),
    "not_in_channel": ("/invite", "C0OUT"),
    "is_archived": ("archived", "C0OLD"),
    "messages_tab_disabled": ("Messages", "App Home"),
    "file_uploads_disabled": ("uploads are turned off",),
    "ratelimited": ("limiting how fast",),
}


def _provoke(error: str, client: SlackClient, slack_peer) -> None:
    """Make the peer answer with ``error`` through the call that really returns it."""
    slack_peer.add_user("ada@example.com")
    slack_peer.add_channel("C0OUT", member=False)
    slack_peer.add_channel("C0OLD", archived=True)
    if error == "invalid_auth":
        bad = SlackClient("xoxb-not-the-token", base_url=slack_peer.url, http=client._http)
        bad.auth_test()
    elif error in ("not_authed", "token_revoked", "account_inactive"):
        slack_peer.inject("auth.test", error=error)
        client.auth_test()
    elif error == "users_not_found":
        client.lookup_user_by_email("nobody@example.com")
    elif error == "channel_not_found":
        client.post_message("C0NONE", "hello")
    elif error == "not_in_channel":
        client.post_message("C0OUT", "hello")
    elif error == "is_archived":
        client.post_message("C0OLD", "hello")
    elif error == "messages_tab_disabled":
        slack_peer.messages_tab_enabled = False
        channel = client.open_dm(client.lookup_user_by_email("ada@example.com").id)
        client.post_message(channel, "hello")
    elif error == "file_uploads_disabled":
        slack_peer.inject("files.getUploadURLExternal", error=error)
        client.get_upload_url("card.png", 10)
    elif error == "ratelimited":
        slack_peer.inject("users.lookupByEmail", status=429, retry_after=1, times=10)
        client.lookup_user_by_email("ada@example.com")


@pytest.mark.parametrize("error", sorted(ERROR_CASES))
def test_each_documented_error_yields_its_sentence(error, client, slack_peer):
    with pytest.raises(SlackError) as caught:
        _provoke(error, client, slack_peer)
    assert caught.value.code == error
    text = str(caught.value)
    for words in ERROR_CASES[error]:
        assert words in text
    assert slack_peer.token not in text


def test_an_unknown_error_code_still_reads_as_a_sentence():
    text = sentence_for("restricted_action", method="chat.postMessage")
    assert "chat.postMessage" in text and "restricted_action" in text


def test_the_peer_refuses_an_error_the_method_cannot_return(slack_peer):
    with pytest.raises(ValueError, match="cannot return"):
        slack_peer.inject("users.lookupByEmail", error="is_archived")
    with pytest.raises(ValueError, match="cannot return"):
        slack_peer.inject("files.completeUploadExternal", error="messages_tab_disabled")


def test_the_peer_refuses_the_retired_upload_method_and_wrong_verbs(slack_peer):
    with httpx.Client() as http:
        headers = {"Authorization": f"Bearer {slack_peer.token}"}
        retired = http.post(slack_peer.url + "files.upload", headers=headers, data={"x": "1"})
        wrong = http.get(slack_peer.url + "conversations.open", headers=headers)
        missing = http.get(slack_peer.url + "users.lookupByEmail", headers=headers)
        json_form_only = http.post(
            slack_peer.url + "files.getUploadURLExternal",
            headers=headers,
            json={"filename": "a.png", "length": 3},
        )
    assert retired.status_code == 404 and wrong.status_code == 405
    assert missing.json()["error"] == "invalid_arguments"
    assert json_form_only.json()["error"] == "invalid_arguments"
    assert len(slack_peer.violations) == 4
    slack_peer.violations.clear()


# -- transient trouble ------------------------------------------------------------------


def test_429_is_waited_out_for_retry_after_then_retried(client, slack_peer, sleeps):
    slack_peer.add_user("ada@example.com")
    slack_peer.inject("users.lookupByEmail", status=429, retry_after=7)
    assert client.lookup_user_by_email("ada@example.com").id
    assert sleeps.waits == [7.0]


def test_a_429_asking_for_longer_than_the_limit_fails_now(slack_peer, sleeps):
    client = SlackClient(
        slack_peer.token,
        base_url=slack_peer.url,
        sleep=sleeps,
        retry=RetryPolicy(max_retry_after=30),
    )
    slack_peer.inject("auth.test", status=429, retry_after=600)
    with pytest.raises(SlackError) as caught:
        client.auth_test()
    client.close()
    assert caught.value.code == "ratelimited" and caught.value.transient
    assert sleeps.waits == []


def test_a_500_is_retried_with_backoff(client, slack_peer, sleeps):
    slack_peer.inject("auth.test", status=500)
    assert client.auth_test().team == slack_peer.team
    assert sleeps.waits == [0.5]


def test_server_errors_give_up_after_the_bounded_tries(client, slack_peer, sleeps):
    slack_peer.inject("auth.test", status=503, times=10)
    with pytest.raises(SlackError) as caught:
        client.auth_test()
    assert caught.value.code == "server_error" and caught.value.transient
    assert sleeps.waits == [0.5, 1.0, 2.0]
    assert slack_peer.calls.count(("auth.test", "POST")) == 4


def test_a_slow_answer_times_out_and_is_retried(client, slack_peer, sleeps):
    slack_peer.add_user("ada@example.com")
    slack_peer.inject("users.lookupByEmail", delay=2.0)
    assert client.lookup_user_by_email("ada@example.com").id
    assert sleeps.waits == [0.5]


def test_a_dropped_connection_is_retried(client, slack_peer, sleeps):
    slack_peer.inject("auth.test", drop=True)
    assert client.auth_test().team == slack_peer.team
    assert len(sleeps.waits) == 1


def test_an_unreachable_slack_is_reported_after_the_tries(sleeps):
    with httpx.Client(timeout=0.5) as http:
        client = SlackClient("xoxb-x", base_url="http://127.0.0.1:9/api/", http=http, sleep=sleeps)
        with pytest.raises(SlackError) as caught:
            client.auth_test()
    assert caught.value.code == "unreachable" and "kept in the outbox" in str(caught.value)


def test_a_text_message_whose_answer_is_lost_is_not_repeated(client, slack_peer):
    slack_peer.add_channel("C0WIN")
    slack_peer.inject("chat.postMessage", delay=2.0, after=True)
    with pytest.raises(SlackError) as caught:
        client.post_message("C0WIN", "hello")
    assert caught.value.code == "unknown_outcome"
    assert len(slack_peer.messages_in("C0WIN")) == 1


def test_an_upload_url_is_retried_after_a_500(client, slack_peer, sleeps):
    ticket = client.get_upload_url("card.png", len(PNG))
    slack_peer.inject("upload", status=500)
    client.upload_bytes(ticket, PNG, "card.png")
    assert slack_peer.files[ticket.file_id].data == PNG


def test_a_refused_upload_is_reported(client, slack_peer):
    with pytest.raises(SlackError) as caught:
        client.upload_bytes(
            UploadTicket("F0GONE", slack_peer.root + "/upload/F0GONE"), PNG, "card.png"
        )
    assert caught.value.code == "upload_refused"


# -- pacing -----------------------------------------------------------------------------


def test_messages_to_one_channel_are_paced_to_one_a_second(client, slack_peer, sleeps):
    slack_peer.add_channel("C0WIN")
    slack_peer.add_channel("C0TWO")
    client.post_message("C0WIN", "one")
    client.post_message("C0TWO", "other channel, no wait")
    assert sleeps.waits == []
    client.post_message("C0WIN", "two")
    assert sleeps.waits == [pytest.approx(1.0)]
    assert [m.text for m in slack_peer.messages_in("C0WIN")] == ["one", "two"]


def test_the_pacer_waits_only_the_rest_of_the_second(sleeps):
    pacer = Pacer(clock=sleeps.clock, sleep=sleeps)
    pacer.wait_turn("C1")
    sleeps.now += 0.3
    pacer.wait_turn("C1")
    assert sleeps.waits == [pytest.approx(0.7)]


# -- configuration and secrecy ----------------------------------------------------------


def test_base_url_comes_from_env_then_settings_then_default(db):
    assert api_base_url(db, env={}) == DEFAULT_API_URL
    db.set_setting("slack.api_url", "https://slack-gov.com/api")
    assert api_base_url(db, env={}) == "https://slack-gov.com/api/"
    assert api_base_url(db, env={"SLACK_API_URL": "http://127.0.0.1:1/api/"}).startswith(
        "http://127.0.0.1:1"
    )


def test_the_token_is_not_in_repr_or_errors(client, slack_peer):
    assert slack_peer.token not in repr(client)
    slack_peer.inject("auth.test", status=500, times=10)
    with pytest.raises(SlackError) as caught:
        client.auth_test()
    assert slack_peer.token not in repr(caught.value) + str(caught.value)


def test_the_webhook_posts_text_and_says_it_cannot_carry_the_card(slack_peer, sleeps):
    with httpx.Client(timeout=0.5) as http:
        hook = WebhookClient(slack_peer.webhook_url, http=http, sleep=sleeps)
        hook.post_text("Ada shipped her first project!")
        assert slack_peer.webhook_url not in repr(hook)
        gone = WebhookClient(slack_peer.root + "/services/T/B/gone", http=http, sleep=sleeps)
        with pytest.raises(SlackError) as caught:
            gone.post_text("hello")
    assert slack_peer.webhook_messages == [{"text": "Ada shipped her first project!"}]
    assert caught.value.code == "invalid_webhook"
    assert "no longer valid" in str(caught.value)
