"""Benchmark: what the outbox costs on top of the bare Slack calls of a DM with a card.

Run with ``python -m tests.bench.sharing_bench`` (or ``make bench``). Option:
``--sends N`` (default 40).

Against the loopback Slack peer, in the same run and interleaved, it times:

- the bare client calls of one DM with a card (``users.lookupByEmail``,
  ``conversations.open``, ``files.getUploadURLExternal``, the upload of a 60 kB card,
  ``files.completeUploadExternal``): the baseline;
- the same DM through ``send_prepared`` (card written and fsynced to the data folder, the
  share recorded, each step written before the next).

Medians and their ratio are printed. There is no target: the network decides a real
send's time; this shows the crash safety costs little next to the calls themselves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from plm_desktop.sharing.outbox import Outbox
from plm_desktop.sharing.send import Destination, send_prepared
from plm_desktop.sharing.slack import SlackClient
from plm_desktop.store import open_database
from tests.slack_peer import SlackPeer, load_reference


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tests.bench.sharing_bench")
    parser.add_argument("--sends", type=int, default=40)
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="plm-sharing-bench-"))
    os.environ["PLM_DESKTOP_HOME"] = str(folder / "home")
    peer = SlackPeer(load_reference()).start()
    card = os.urandom(60_000)
    db = open_database(folder / "bench.sqlite")
    bare, outboxed = [], []
    try:
        with httpx.Client(timeout=5) as http:
            client = SlackClient(peer.token, base_url=peer.url, http=http, sleep=lambda s: None)
            outbox = Outbox(db, cards_dir=folder / "cards")
            for n in range(args.sends):
                email = f"user{n}@example.com"
                peer.add_user(email)
                db.conn.execute(
                    "INSERT INTO users (user_id, email) VALUES (?, ?)", (f"u{n}", email)
                )

                start = time.perf_counter()
                user = client.lookup_user_by_email(email)
                channel = client.open_dm(user.id)
                ticket = client.get_upload_url("card.png", len(card))
                client.upload_bytes(ticket, card, "card.png")
                client.complete_upload(
                    ticket.file_id, channel_id=channel, title="card.png", initial_comment="hi"
                )
                bare.append(time.perf_counter() - start)

                start = time.perf_counter()
                send_prepared(
                    db,
                    user_id=f"u{n}",
                    destination=Destination.dm(),
                    text="hi",
                    card_png=card,
                    milestone="task_100",
                    slack=client,
                    outbox=outbox,
                )
                outboxed.append(time.perf_counter() - start)
    finally:
        db.close()
        peer.stop()
        shutil.rmtree(folder, ignore_errors=True)

    bare_ms = statistics.median(bare) * 1000
    outbox_ms = statistics.median(outboxed) * 1000
    print(f"DM with a 60 kB card over loopback, {args.sends} sends each, medians:")
    print(f"  bare client calls      {bare_ms:7.1f} ms")
    print(f"  through the outbox     {outbox_ms:7.1f} ms  ({outbox_ms / bare_ms:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
