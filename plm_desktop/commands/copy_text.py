"""``plm-desktop copy``: print the message that goes with a user's win card.

Exit 0 prints the filled text; exit 1 says why it cannot be written (no such user or
milestone, a placeholder the data cannot fill, a post over the channel's limit).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from plm_desktop.commands.common import add_db_option, add_win_options, open_db

_SOURCES = {"slack": "slack", "slack-channel": "slack", "linkedin": "linkedin", "x": "x"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "copy",
        help="print the message for a user's win (Slack, LinkedIn or X)",
        description="Fill the message template for a user's milestone and print it.",
    )
    add_db_option(parser)
    add_win_options(parser, week_help="the milestone's week")
    parser.add_argument(
        "--channel",
        required=True,
        choices=("slack", "slack-channel", "linkedin", "x"),
        help="slack (DM to the user), slack-channel, linkedin or x",
    )
    parser.add_argument(
        "--persona", choices=("ic", "leader"), help="override the persona for this text"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.cards import BrandError, CardError, load_brand
    from plm_desktop.messages import (
        MessageTooLong,
        MissingPlaceholders,
        TemplateDataError,
        fill_message,
        load_templates,
    )
    from plm_desktop.messages.context import message_context
    from plm_desktop.sharing.links import SIGNUP_URL_SETTING, share_link

    with open_db(args) as db:
        try:
            brand = load_brand(db)
            context = message_context(db, args.user, args.milestone, args.week, brand=brand)
            # The advocate's referral link to the signup page (or, without one, to the
            # product's site); with neither, {link} is reported missing.
            base_url = db.get_setting(SIGNUP_URL_SETTING) or brand.product_url or None
            if base_url:
                link = share_link(
                    db,
                    args.user,
                    source=_SOURCES[args.channel],
                    campaign=context.milestone_kind,
                    base_url=base_url,
                )
                context = replace(context, link=link)
            text = fill_message(args.channel, context, args.persona, templates=load_templates(db))
        except (
            CardError,
            BrandError,
            MissingPlaceholders,
            MessageTooLong,
            TemplateDataError,
        ) as exc:
            print(f"no text: {exc}", file=sys.stderr)
            return 1
    print(text)
    return 0
