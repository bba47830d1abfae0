"""``plm-desktop card``: render a user's win card to a PNG file.

Exit 0 prints where the card was written (and, on stderr, anything the renderer had to
adjust); exit 1 says why there is no card (unknown user, no such milestone, a brand
that cannot be used).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plm_desktop.commands.common import add_db_option, add_win_options, open_db


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "card",
        help="render a user's win card to a PNG file",
        description="Render the win card of a user's milestone in the saved brand.",
    )
    add_db_option(parser)
    add_win_options(
        parser, week_help="the milestone's week; default: the latest with that milestone"
    )
    parser.add_argument(
        "--size",
        choices=("linkedin", "square", "portrait"),
        default="linkedin",
        help="linkedin 1200x627 (default), square 1200x1200, portrait 1080x1350",
    )
    parser.add_argument(
        "--scale", type=int, choices=(1, 2), default=1, help="2 renders twice the pixels"
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.png", help="PNG to write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from plm_desktop.cards import (
        BrandError,
        CardError,
        FontNotFound,
        LogoRejected,
        card_for_milestone,
        load_brand,
        render_card,
        save_png,
    )

    with open_db(args) as db:
        try:
            spec = card_for_milestone(db, args.user, kind=args.milestone, week=args.week)
            brand = load_brand(db)
            card = render_card(spec, brand, size=args.size, scale=args.scale)
        except (CardError, BrandError, FontNotFound, LogoRejected) as exc:
            print(f"no card: {exc}", file=sys.stderr)
            return 1
    try:
        save_png(card, args.out)
    except OSError as exc:
        print(f"no card: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for note in card.adjustments:
        print(f"note: {note}", file=sys.stderr)
    width, height = card.image.size
    print(f"wrote {spec.kind} card for {args.user} ({width}x{height}) to {args.out}")
    return 0
