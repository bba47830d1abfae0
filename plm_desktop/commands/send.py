"""``plm-desktop send``: send a user's win card by Slack DM, to a channel, or by webhook.

Exit 0 prints the channel and Slack's timestamp; exit 1 prints the founder-facing reason
(nothing is lost: the share stays in the outbox as failed and a later run retries it).
"""

from __future__ import annotations

import argparse
import sys

from plm_desktop.commands.common import add_db_option, add_win_options, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send",
        help="send a user's win card by Slack DM, to a channel, or by webhook",
        description="Send a user's win card with its message. The share is recorded in the "
        "outbox first; the same card is not sent twice unless --force is given.",
    )
    add_db_option(parser)
    add_win_options(parser)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--slack-dm", action="store_true", help="DM the user (found by email)")
    where.add_argument("--slack-channel", metavar="CHANNEL_ID", help="post to this channel")
    where.add_argument(
        "--webhook", action="store_true", help="post text only through the saved webhook"
    )
    parser.add_argument(
        "--force", action="store_true", help="send even if this card was sent before"
    )
    parser.set_defaults(run=run)

    outbox = subparsers.add_parser(
        "outbox",
        help="list shares (sent, failed, interrupted) and resume the unsent ones",
        description="List the outbox, newest first. --resume carries on with shares a crash "
        "interrupted and those never started; --retry-failed sends failed ones again.",
    )
    add_db_option(outbox)
    outbox.add_argument(
        "--state",
        choices=["queued", "sending", "sent", "failed", "handed_to_user"],
        help="only shares in this state",
    )
    outbox.add_argument("--user", metavar="USER_ID", help="only this user's shares")
    outbox.add_argument("--resume", action="store_true", help="send interrupted and queued shares")
    outbox.add_argument(
        "--retry-failed", action="store_true", help="with --resume, send failed ones too"
    )
    outbox.add_argument("--json", action="store_true", help="print JSON")
    outbox.set_defaults(run=run_outbox)


def run_outbox(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from plm_desktop.commands.common import print_json, print_table
    from plm_desktop.sharing.outbox import Outbox
    from plm_desktop.sharing.send import SendRefused, slack_client, webhook_client

    with open_db(args) as db:
        outbox = Outbox(db)
        failures = 0
        if args.resume:
            slack = webhook = None
            try:
                try:
                    slack = slack_client(db)
                except SendRefused:
                    slack = None
                try:
                    webhook = webhook_client()
                except SendRefused:
                    webhook = None
                outcomes = outbox.resume(
                    slack=slack, webhook=webhook, include_failed=args.retry_failed
                )
            finally:
                for client in (slack, webhook):
                    if client is not None:
                        client.close()
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    failures += 1
                    print(f"not sent: {outcome}", file=sys.stderr)
                else:
                    print(
                        f"sent share #{outcome.share_id} to {outcome.slack_channel or 'webhook'}"
                    )
        entries = outbox.entries(state=args.state, user_id=args.user)
        if args.json:
            print_json(
                [
                    {k: v for k, v in asdict(e).items() if k not in ("upload_url", "claimed_by")}
                    for e in entries
                ]
            )
        elif not args.resume:
            print_table(
                ["share", "user", "milestone", "channel", "state", "updated", "reason"],
                [
                    (
                        e.share_id,
                        e.user_id,
                        e.milestone,
                        e.channel,
                        e.state,
                        e.updated_at[:16],
                        e.error_code,
                    )
                    for e in entries
                ],
            )
    return 1 if failures else 0


def run(args: argparse.Namespace) -> int:
    from plm_desktop.sharing.send import (
        DeliveryFailed,
        Destination,
        DuplicateShare,
        SendRefused,
        ShareInProgress,
        SlackError,
        send_card,
    )

    if args.slack_dm:
        destination = Destination.dm()
    elif args.slack_channel:
        destination = Destination.channel(args.slack_channel)
    else:
        destination = Destination.webhook()

    with open_db(args) as db:
        try:
            result = send_card(
                db,
                user_id=args.user,
                destination=destination,
                milestone=args.milestone,
                force=args.force,
            )
        except (SendRefused, DuplicateShare, DeliveryFailed, ShareInProgress, SlackError) as exc:
            print(f"not sent: {exc}", file=sys.stderr)
            return 1
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    ts = result.ts or result.sent_at
    print(f"sent to {result.channel} at {ts} (share #{result.share_id})")
    return 0
