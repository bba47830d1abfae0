"""What the share and outbox pages use to reach outside the app, injectable for tests.

The browser (LinkedIn and X composers, the folder of a saved card) and the Slack
clients are taken from a :class:`ShareServices`; a test replaces ``open_url`` with a
recorder and the factories with clients of the loopback peer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from plm_desktop.gui.share_actions import (
    SlackFactory,
    WebhookFactory,
    default_slack_client,
    default_webhook_client,
)


def open_in_desktop(url: QUrl) -> bool:
    """Open ``url`` with the desktop's browser or file manager."""
    return QDesktopServices.openUrl(url)


@dataclass
class ShareServices:
    """The outside world of the share and outbox pages.

    Attributes:
        open_url: opens a web page or a folder (returns False when nothing opened it).
        slack_factory: builds the Slack client, on a worker thread.
        webhook_factory: builds the webhook client, on a worker thread.
    """

    open_url: Callable[[QUrl], bool] = open_in_desktop
    slack_factory: SlackFactory = default_slack_client
    webhook_factory: WebhookFactory = default_webhook_client
