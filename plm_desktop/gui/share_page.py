"""The Share page: one win's card and its message per channel, each one click from sent.

The messages are filled by the engine for the chosen voice (persona) and can be edited
before anything leaves. "Send to Slack" records the share in the outbox and delivers it
on the database-write worker (progress while it runs, Slack's explained error when it
fails, a confirmation before sending the same card twice). LinkedIn and X posts are
handed to the founder: the text and the card go to the clipboard and the composer opens
in the browser. Placeholders that could not be filled are reported before any send.
"""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QUrl, Signal
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from plm_desktop.gui.card_design import CardDesign, WinChoice
from plm_desktop.gui.card_preview import CardPreview, PreviewFrame, scaled_for_display
from plm_desktop.gui.context import TOPIC_OUTBOX, TOPIC_SETTINGS, TOPIC_USAGE, AppContext
from plm_desktop.gui.forms import load_form
from plm_desktop.gui.pages.base import Navigator, Page
from plm_desktop.gui.share_actions import (
    CHANNEL_LABELS,
    ShareDraft,
    SlackSend,
    UnfilledPlaceholders,
    check_filled,
)
from plm_desktop.gui.share_services import ShareServices
from plm_desktop.gui.status_colours import status_colour
from plm_desktop.gui.tasks import Task

log = logging.getLogger(__name__)

PERSONA_CHOICES = (
    ("Voice from their job title", None),
    ("Individual contributor", "ic"),
    ("Leader", "leader"),
)
_CHANNEL_KEY = "share/channel_id"


class SharePage(Page):
    """Filled messages per channel, Send to Slack, Copy for LinkedIn, Post on X.

    Attributes:
        services: the browser opener and Slack client factories (tests replace them).

    Signals:
        draft_ready(ShareDraft): a win's card and messages are shown.
        send_finished(object): a Slack send ended: the ``SendResult`` or the exception.
        handed_off(object): a LinkedIn or X post was put in the founder's hands
            (the ``Handoff``).
    """

    draft_ready = Signal(object)
    send_finished = Signal(object)
    handed_off = Signal(object)

    topics = frozenset({TOPIC_USAGE, TOPIC_SETTINGS})

    def __init__(self, ctx: AppContext, nav: Navigator, parent: QWidget | None = None) -> None:
        super().__init__(ctx, nav, parent)
        self.ui = load_form("share_page.ui", self)
        self.services = ShareServices()
        self.draft: ShareDraft | None = None
        self.card_image: QImage | None = None
        self.pending_send: SlackSend | None = None
        self._design_from_studio = False
        self._load_token = 0
        self._frames = 0

        ui = self.ui
        self.preview = CardPreview(ui.preview_host, follow_width=True)
        self.preview.set_message("Pick a win to see its card")
        self.preview.setMinimumSize(300, 160)
        ui.preview_host.layout().addWidget(self.preview)
        ui.body_splitter.setStretchFactor(0, 2)
        ui.body_splitter.setStretchFactor(1, 3)
        for label, persona in PERSONA_CHOICES:
            ui.persona_combo.addItem(label, persona)
        ui.win_combo.addItem("Choose a win…", None)
        ui.channel_id_edit.setText(str(ctx.settings.value(_CHANNEL_KEY, "") or ""))
        ui.problems_label.hide()
        ui.confirm_bar.hide()
        ui.send_progress.hide()
        self._set_ready(False)

        self.editors: dict[str, QPlainTextEdit] = {
            "slack": ui.slack_text,
            "slack-channel": ui.slack_channel_text,
            "linkedin": ui.linkedin_text,
            "x": ui.x_text,
        }
        for channel, editor in self.editors.items():
            editor.textChanged.connect(lambda channel=channel: self._update_length(channel))

        ui.win_combo.activated.connect(self._win_chosen)
        ui.persona_combo.activated.connect(self._persona_chosen)
        ui.send_dm_button.clicked.connect(self.send_dm)
        ui.send_channel_button.clicked.connect(self.send_to_channel)
        ui.copy_linkedin_button.clicked.connect(self.copy_for_linkedin)
        ui.post_x_button.clicked.connect(self.post_on_x)
        ui.confirm_button.clicked.connect(self.confirm_send_again)
        ui.confirm_cancel_button.clicked.connect(self._cancel_send_again)
        ui.edit_card_button.clicked.connect(self._edit_card)
        ui.result_label.linkActivated.connect(lambda link: self.services.open_url(QUrl(link)))
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.share_current_tab)

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the wins for the picker."""

        def load(control):
            from plm_desktop.gui.card_design import recent_wins

            return recent_wins(control.db)

        self.ctx.tasks.read(
            load,
            title="Loading wins to share",
            on_result=self._wins_loaded,
            on_error=lambda exc: self.ctx.errors.report("Could not load the wins.", exc),
        )

    def _wins_loaded(self, wins: list[WinChoice]) -> None:
        combo = self.ui.win_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Choose a win…", None)
        for win in wins:
            combo.addItem(win.label, win)
        combo.blockSignals(False)
        self._select_win()
        self.loaded.emit()

    def open_request(
        self,
        user_id: str | None = None,
        milestone_kind: str | None = None,
        week: str | None = None,
        design: CardDesign | None = None,
        **_request: Any,
    ) -> Task | None:
        """Show ``user_id``'s win; ``design`` is the card as designed in the studio."""
        if not user_id:
            return None
        self._design_from_studio = design is not None
        return self.prepare(user_id, milestone_kind, week, design=design)

    def prepare(
        self,
        user_id: str,
        kind: str | None,
        week: str | None,
        *,
        design: CardDesign | None = None,
        persona: str | None = None,
    ) -> Task:
        """Fill every channel's message for the win (and the card, unless given)."""
        self._load_token += 1
        token = self._load_token
        self.ui.subject_label.setText("Filling the messages…")
        self._set_ready(False)
        self.preview.set_message("Drawing the card…")
        box, _ratio = self.preview.target()

        def load(control):
            from plm_desktop.gui.share_actions import prepare_share

            draft = prepare_share(control.db, user_id, kind, week, persona=persona, design=design)
            image = QImage.fromData(draft.png, "PNG").convertToFormat(QImage.Format.Format_RGB32)
            return draft, image, scaled_for_display(image, box)

        def loaded(result) -> None:
            if token == self._load_token:
                self._show_draft(*result)

        def failed(exc: BaseException) -> None:
            if token == self._load_token:
                self.ui.subject_label.setText(f"Nothing to share for {user_id}.")
                self.ctx.errors.report(f"Could not prepare the share for {user_id}.", exc)

        return self.ctx.tasks.write(
            load, title="Filling the messages", on_result=loaded, on_error=failed
        )

    def _show_draft(self, draft: ShareDraft, image: QImage, display: QImage) -> None:
        self.draft = draft
        self.card_image = image
        self.pending_send = None
        ui = self.ui
        self._frames += 1
        self.preview.set_card_size(image.width(), image.height())
        self.preview.set_frame(
            PreviewFrame(self._frames, draft.design, (), image, display, 0.0, 0.0)
        )
        ui.card_info_label.setText(
            f"{image.width()} × {image.height()} px PNG, {len(draft.png) // 1024} KB"
            + (" · as designed in the studio" if self._design_from_studio else "")
        )
        for channel, editor in self.editors.items():
            editor.setPlainText(draft.drafts[channel].text)
        problems = [
            d.problem for d in draft.drafts.values() if d.problem and d.missing != ("link",)
        ]
        need_link = [CHANNEL_LABELS[c] for c, d in draft.drafts.items() if "link" in d.missing]
        if need_link:
            problems.insert(
                0,
                f"The {' and '.join(need_link)} posts need {{link}}, the advocate's share "
                f"link. {draft.link_note or ''} Until then, replace {{link}} in the text "
                "yourself; nothing is sent while it is there.",
            )
        elif draft.link_note:
            problems.append(
                f"Links point to your product site, not a share link. {draft.link_note}"
            )
        if problems:
            items = "".join(f"<li>{html.escape(p)}</li>" for p in problems)
            ui.problems_label.setText(
                f"<b>Check before sending:</b><ul style='margin: 2px 0 0 -18px'>{items}</ul>"
            )
            ui.problems_label.show()
        else:
            ui.problems_label.hide()

        ui.persona_combo.blockSignals(True)
        index = ui.persona_combo.findData(draft.persona)
        title_voice = "leader" if draft.title_persona == "leader" else "individual contributor"
        ui.persona_combo.setItemText(0, f"Voice from their job title ({title_voice})")
        if ui.persona_combo.currentData() is not None or draft.persona != draft.title_persona:
            ui.persona_combo.setCurrentIndex(max(index, 0))
        ui.persona_combo.blockSignals(False)

        if draft.email:
            ui.dm_target_label.setText(
                f"Direct message to <b>{html.escape(draft.email)}</b>; Slack finds them by "
                "this email."
            )
        else:
            ui.dm_target_label.setText(
                "No email is known for this user, so Slack cannot find them. Post to a "
                "channel instead, or add an email column to your usage export."
            )
        ui.subject_label.setText(
            f"Sharing {draft.name}'s win: {draft.design.spec.headline or draft.kind}"
            + (f", week of {draft.week}" if draft.week else "")
            + "."
        )
        ui.result_label.setText("")
        ui.confirm_bar.hide()
        self._set_ready(True)
        ui.send_dm_button.setEnabled(bool(draft.email))
        self._select_win()
        self.draft_ready.emit(draft)

    def _select_win(self) -> None:
        combo = self.ui.win_combo
        combo.blockSignals(True)
        try:
            combo.setCurrentIndex(0)
            if self.draft is None:
                return
            for row in range(1, combo.count()):
                win = combo.itemData(row)
                if (win.user_id, win.kind, win.week) == (
                    self.draft.user_id,
                    self.draft.kind,
                    self.draft.week,
                ):
                    combo.setCurrentIndex(row)
                    return
        finally:
            combo.blockSignals(False)

    def _win_chosen(self, index: int) -> None:
        win = self.ui.win_combo.itemData(index)
        if win is not None:
            self._design_from_studio = False
            self.prepare(win.user_id, win.kind, win.week, persona=self._persona())

    def _persona(self) -> str | None:
        return self.ui.persona_combo.currentData()

    def _persona_chosen(self, _index: int) -> None:
        self.set_persona(self._persona())

    def set_persona(self, persona: str | None) -> Task | None:
        """Write the messages again in the voice of ``persona`` (None: from the title)."""
        combo = self.ui.persona_combo
        combo.setCurrentIndex(max(0, combo.findData(persona)))
        if self.draft is None:
            return None
        draft = self.draft
        edited = [
            CHANNEL_LABELS[channel]
            for channel, editor in self.editors.items()
            if editor.toPlainText() != draft.drafts[channel].text
        ]
        if edited:
            self.ctx.errors.inform(
                f"Rewritten in the new voice; your edits to the {', '.join(edited)} "
                "message were replaced."
            )
        return self.prepare(
            draft.user_id, draft.kind, draft.week, design=draft.design, persona=persona
        )

    def _edit_card(self) -> None:
        if self.draft is None:
            return
        if self._design_from_studio:
            self.nav.show_page("studio")
        else:
            self.nav.open_card_studio(self.draft.user_id, self.draft.kind, self.draft.week)

    def share_current_tab(self) -> Task | None:
        """Ctrl+Return: the action of the channel tab in front (send, copy or post)."""
        actions = (self.send_dm, self.send_to_channel, self.copy_for_linkedin, self.post_on_x)
        index = self.ui.channel_tabs.currentIndex()
        if self.draft is None or not 0 <= index < len(actions):
            return None
        return actions[index]()

    # -- Slack --------------------------------------------------------------------------

    def send_dm(self) -> Task | None:
        """Send the card and the DM text to the user, found in Slack by email."""
        return self._send_slack("slack")

    def send_to_channel(self) -> Task | None:
        """Post the card and the channel text in the channel whose id is typed."""
        channel_id = self.ui.channel_id_edit.text().strip()
        if not channel_id:
            self._show_failure("Type the Slack channel ID to post in (it starts with C).")
            self.ui.channel_id_edit.setFocus()
            return None
        self.ctx.settings.setValue(_CHANNEL_KEY, channel_id)
        return self._send_slack("slack-channel", channel_id)

    def _send_slack(self, channel: str, channel_id: str | None = None) -> Task | None:
        if self.draft is None:
            return None
        text = self.editors[channel].toPlainText()
        if not self._ready_to_send(channel, text):
            return None
        draft = self.draft
        request = SlackSend(
            user_id=draft.user_id,
            kind=draft.kind,
            week=draft.week,
            channel=channel,
            text=text,
            png=draft.png,
            channel_id=channel_id,
        )
        return self._deliver(request)

    def _deliver(self, request: SlackSend) -> Task:
        from plm_desktop.gui.share_actions import send_to_slack

        factory = self.services.slack_factory
        self.pending_send = request
        self.ui.confirm_bar.hide()
        self.ui.send_progress.show()
        where = "as a direct message" if request.channel == "slack" else "to the channel"
        self.ui.result_label.setText(f"Sending to Slack {where}…")
        self._set_sending(True)
        return self.ctx.tasks.write(
            lambda control: send_to_slack(control.db, request, factory),
            title="Sending to Slack",
            on_result=self._sent,
            on_error=self._send_failed,
        )

    def _sent(self, result) -> None:
        self._set_sending(False)
        self.pending_send = None
        where = "the direct message" if result.entry.channel == "slack" else result.channel
        notes = "".join(f"<br>{html.escape(note)}" for note in result.notes)
        self.ui.result_label.setText(
            f"Sent to Slack ({html.escape(where)}), share #{result.share_id}.{notes}"
        )
        self.ctx.errors.inform(f"Sent {self.draft.name if self.draft else ''}'s card to Slack.")
        self.ctx.announce(TOPIC_OUTBOX)
        self.send_finished.emit(result)

    def _send_failed(self, exc: BaseException) -> None:
        from plm_desktop.sharing.outbox import DuplicateShare

        self._set_sending(False)
        self.ctx.announce(TOPIC_OUTBOX)
        if isinstance(exc, DuplicateShare):
            from plm_desktop.gui.share_actions import duplicate_question

            self.ui.result_label.setText("")
            who = self.draft.name if self.draft is not None else None
            self.ui.confirm_label.setText(duplicate_question(exc, who))
            self.ui.confirm_bar.show()
            self.send_finished.emit(exc)
            return
        self.pending_send = None
        self._show_failure(_sentence(exc))
        self.ctx.errors.report("Could not send to Slack.", exc)
        self.send_finished.emit(exc)

    def confirm_send_again(self) -> Task | None:
        """The founder confirmed: send the card that was sent before once more."""
        if self.pending_send is None:
            return None
        return self._deliver(replace(self.pending_send, force=True))

    def _cancel_send_again(self) -> None:
        self.pending_send = None
        self.ui.confirm_bar.hide()
        self.ui.result_label.setText("Not sent again.")

    # -- LinkedIn and X -----------------------------------------------------------------

    def copy_for_linkedin(self) -> Task | None:
        """Put the post and the card on the clipboard and open LinkedIn's composer."""
        return self._hand_off("linkedin")

    def post_on_x(self) -> Task | None:
        """Open X's composer with the post (the card goes to the clipboard to paste)."""
        return self._hand_off("x")

    def _hand_off(self, channel: str) -> Task | None:
        from plm_desktop.gui.share_actions import hand_post_to_founder

        if self.draft is None:
            return None
        text = self.editors[channel].toPlainText()
        if not self._ready_to_send(channel, text):
            return None
        draft = self.draft

        def record(control):
            return hand_post_to_founder(
                control.db,
                user_id=draft.user_id,
                channel=channel,
                text=text,
                png=draft.png,
                kind=draft.kind,
                week=draft.week,
            )

        return self.ctx.tasks.write(
            record,
            title=f"Preparing the {CHANNEL_LABELS[channel]} post",
            on_result=self._handed_off,
            on_error=lambda exc: self._hand_off_failed(channel, exc),
        )

    def _handed_off(self, handoff) -> None:
        channel = handoff.entry.channel
        mime = QMimeData()
        if channel == "linkedin":
            mime.setText(handoff.text)
        if self.card_image is not None:
            mime.setImageData(self.card_image)
        QGuiApplication.clipboard().setMimeData(mime)
        opened = self.services.open_url(QUrl(handoff.url))

        network = CHANNEL_LABELS[channel]
        folder = ""
        if handoff.card_path:
            path = Path(handoff.card_path)
            link = QUrl.fromLocalFile(str(path.parent)).toString()
            folder = (
                f" The card is also saved as <a href='{html.escape(link)}'>"
                f"{html.escape(path.name)}</a> (click to show its folder)."
            )
        if channel == "linkedin":
            steps = "Paste the text into the post (Ctrl+V), then attach the card."
        else:
            steps = "The post is filled in; paste the card (Ctrl+V) to attach it."
        opening = (
            f"{network} is opening in your browser."
            if opened
            else (f"Your browser did not open; go to {html.escape(handoff.url)}")
        )
        what = "Post text and card copied." if channel == "linkedin" else "Card copied."
        self.ui.result_label.setText(f"{what} {opening} {steps}{folder}")
        self.ctx.announce(TOPIC_OUTBOX)
        self.handed_off.emit(handoff)

    def _hand_off_failed(self, channel: str, exc: BaseException) -> None:
        self._show_failure(_sentence(exc))
        self.ctx.errors.report(f"Could not prepare the {CHANNEL_LABELS[channel]} post.", exc)

    # -- helpers --------------------------------------------------------------------------

    def _ready_to_send(self, channel: str, text: str) -> bool:
        """Refuse empty text or text with placeholders left, before anything is recorded."""
        self.ui.confirm_bar.hide()
        self.pending_send = None
        if not text.strip():
            self._show_failure(
                f"The {CHANNEL_LABELS[channel]} message is empty; write something first."
            )
            return False
        try:
            check_filled(channel, text)
        except UnfilledPlaceholders as exc:
            self._show_failure(str(exc))
            self.ctx.errors.report("Nothing was sent.", exc, severe=False)
            return False
        return True

    def _show_failure(self, sentence: str) -> None:
        self.ui.send_progress.hide()
        self.ui.result_label.setText(
            f"<span style='color: {status_colour(self, 'error')}'>{html.escape(sentence)}</span>"
        )

    def _update_length(self, channel: str) -> None:
        from plm_desktop.messages import LINKEDIN_LIMIT, X_LIMIT, linkedin_length, x_length

        text = self.editors[channel].toPlainText()
        if channel == "x":
            length, limit = x_length(text), X_LIMIT
        elif channel == "linkedin":
            length, limit = linkedin_length(text), LINKEDIN_LIMIT
        else:
            length, limit = len(text), None
        label = {
            "slack": self.ui.slack_length_label,
            "slack-channel": self.ui.channel_length_label,
            "linkedin": self.ui.linkedin_length_label,
            "x": self.ui.x_length_label,
        }[channel]
        if limit is None:
            label.setText(f"{length:,} characters")
        elif length > limit:
            label.setText(
                f"<span style='color: {status_colour(self, 'error')}'>{length:,} / {limit:,}: "
                f"{length - limit:,} too many</span>"
            )
        else:
            label.setText(f"{length:,} / {limit:,}")

    def _set_ready(self, ready: bool) -> None:
        ui = self.ui
        for widget in (
            ui.send_dm_button,
            ui.send_channel_button,
            ui.copy_linkedin_button,
            ui.post_x_button,
            ui.edit_card_button,
            ui.channel_tabs,
        ):
            widget.setEnabled(ready)

    def _set_sending(self, sending: bool) -> None:
        ui = self.ui
        ui.send_progress.setVisible(sending)
        ui.send_dm_button.setEnabled(not sending and bool(self.draft and self.draft.email))
        ui.send_channel_button.setEnabled(not sending)


def _sentence(exc: BaseException) -> str:
    from plm_desktop.gui.errors import describe_exception

    return describe_exception(exc)
