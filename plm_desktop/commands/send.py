"""``plm-desktop send``: send a user's win card by Slack DM, to a channel, or by webhook.

Exit 0 prints the channel and Slack's timestamp; exit 1 prints the founder-facing reason
(nothing is lost: the share stays in the outbox as failed and a later run retries it).
"""

from __future__ import annotations

import argparse
import sys

from plm_desktop.commands.common import add_db_option, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send",
        help="send a user's win card by Slack DM, to a channel, or by webhook",
        description="Send a user's win card with its message. The share is recorded in the "
        "outbox first; the same card is not sent twice unless --force is given.",
    )
    add_db_option(parser)
    parser.add_argument("--user", required=True, metavar="USER_ID", help="the user's id")
    parser.add_argument(
        "--milestone",
        metavar="NAME",
        help="milestone kind (first_project, task_100, team_builder, streak_90, roi, top_5); "
        "default: the user's latest",
    )
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
