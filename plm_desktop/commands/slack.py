"""``plm-desktop slack-test`` and ``plm-desktop slack-token``: connect Slack from a terminal.

``slack-token set`` reads the token (or, with ``--webhook``, the webhook URL) from
standard input, never from the command line, where it would land in shell history and
process lists.
"""

from __future__ import annotations

import argparse
import sys

from plm_desktop.commands.common import add_db_option, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    test = subparsers.add_parser(
        "slack-test",
        help="check the saved Slack token: workspace, bot name, missing permissions",
    )
    add_db_option(test)
    test.set_defaults(run=run_test)

    token = subparsers.add_parser(
        "slack-token", help="save or forget the Slack bot token or webhook URL"
    )
    actions = token.add_subparsers(dest="action", metavar="ACTION", required=True)
    set_parser = actions.add_parser(
        "set", help="save a token read from standard input (never from the command line)"
    )
    set_parser.add_argument(
        "--webhook", action="store_true", help="the input is an incoming webhook URL"
    )
    set_parser.add_argument(
        "--plaintext-file",
        action="store_true",
        help="when no system keyring exists, save it in a plain file readable only by you "
        "(not recommended)",
    )
    set_parser.set_defaults(run=run_set)
    forget = actions.add_parser("forget", help="delete the saved token and webhook URL")
    forget.set_defaults(run=run_forget)
    status = actions.add_parser("status", help="where secrets are kept on this machine")
    status.set_defaults(run=run_status)


def run_test(args: argparse.Namespace) -> int:
    from plm_desktop.sharing.send import SendRefused, SlackError, connection_report

    with open_db(args) as db:
        try:
            print(connection_report(db))
        except (SendRefused, SlackError) as exc:
            print(f"not connected: {exc}", file=sys.stderr)
            return 1
    return 0


def run_set(args: argparse.Namespace) -> int:
    from plm_desktop.sharing.secrets import SecretStoreError, open_token_store

    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass("Paste it here (input is hidden): ")
    else:
        value = sys.stdin.readline()
    store = open_token_store(allow_plaintext=args.plaintext_file)
    try:
        status = store.set_webhook_url(value) if args.webhook else store.set_bot_token(value)
    except SecretStoreError as exc:
        print(f"not saved: {exc}", file=sys.stderr)
        return 1
    if not status.durable:
        print(
            f"not saved: {status.message} A command-line run ends now, so use a keyring, "
            "SLACK_BOT_TOKEN, or --plaintext-file.",
            file=sys.stderr,
        )
        return 1
    if status.kind == "plaintext":
        print(f"warning: {status.message}", file=sys.stderr)
    print(f"saved ({status.kind})")
    return 0


def run_forget(args: argparse.Namespace) -> int:
    from plm_desktop.sharing.secrets import BOT_TOKEN, WEBHOOK_URL, open_token_store

    store = open_token_store()
    for name in (BOT_TOKEN, WEBHOOK_URL):
        store.delete(name)
    print("forgotten")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from plm_desktop.sharing.secrets import BOT_TOKEN, WEBHOOK_URL, open_token_store

    store = open_token_store()
    print(store.status.message)
    for name in (BOT_TOKEN, WEBHOOK_URL):
        print(f"{name}: {store.source_of(name) or 'not set'}")
    return 0
