"""The card studio: live preview while typing, notices, logo drops, save, copy, share."""

from __future__ import annotations

import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication

from plm_desktop.gui.pages import PAGES
from tests.gui.drag_events import drop_files


def _studio(window, qtbot):
    page = window.show_page("studio")
    qtbot.waitUntil(lambda: page.frame is not None, timeout=5000)
    return page


def _pixels(image) -> bytes:
    return bytes(image.constBits())


@pytest.fixture
def studio(window, qtbot):
    return _studio(window, qtbot)


def test_the_studio_is_registered_and_opens_on_a_sample_card(studio):
    assert any(spec.page_id == "studio" for spec in PAGES)
    assert studio.design.is_sample
    assert studio.frame.image.width() == 1200 and studio.frame.image.height() == 627
    assert studio.ui.headline_edit.text() == "Productivity Machine"
    assert "sample card" in studio.ui.subject_label.text().lower()
    assert not studio.ui.share_button.isEnabled()


def test_typing_a_headline_updates_the_preview(studio, qtbot):
    before = _pixels(studio.frame.image)
    first = studio.frame.generation
    studio.ui.headline_edit.setFocus()
    studio.ui.headline_edit.selectAll()
    qtbot.keyClicks(studio.ui.headline_edit, "Ada ships")
    assert studio.design.spec.headline == "Ada ships"
    assert studio.frame.generation > first
    assert studio.frame.design.spec.headline == "Ada ships"
    assert _pixels(studio.frame.image) != before


def test_typing_fast_renders_only_the_latest_edit(make_window, db_path, qtbot):
    win = make_window(inline=False)
    win.show()
    with qtbot.waitSignal(win.database_ready, timeout=10000):
        win.open_database_file(db_path)
    page = _studio(win, qtbot)
    started_before = page.renderer.renders_started
    text = "A headline typed quickly"
    page.ui.headline_edit.selectAll()
    qtbot.keyClicks(page.ui.headline_edit, text)
    final = page.renderer.generation
    with qtbot.waitSignal(
        page.frame_shown, timeout=10000, check_params_cb=lambda f: f.generation == final
    ):
        pass
    assert page.frame.design.spec.headline == text
    renders = page.renderer.renders_started - started_before
    assert 1 <= renders < len(text)  # edits made while one was drawing were coalesced


def test_too_long_text_and_faint_colours_are_shown_not_silent(studio, qtbot):
    assert not studio.ui.adjustments_label.isVisible()  # the sample card fits as it is
    studio.ui.supporting_edit.setText(
        "Shipped the first project in record time and the whole team noticed the difference"
    )
    studio.ui.supporting_edit.end(False)
    qtbot.keyClicks(studio.ui.supporting_edit, " it makes")
    assert studio.ui.adjustments_label.isVisible()
    assert "supporting text was set smaller and wrapped" in studio.ui.adjustments_label.text()

    studio.ui.supporting_edit.setText("word " * 80)  # setText alone draws nothing
    studio.ui.supporting_edit.end(False)
    qtbot.keyClicks(studio.ui.supporting_edit, "end")
    assert studio.ui.adjustments_label.isVisible()
    assert "supporting too long" in studio.ui.adjustments_label.text()

    studio.set_colour("primary", "#FFF59D")  # pale yellow on a light card
    notice = studio.ui.adjustments_label.text()
    assert "#FFF59D" in notice and "contrast" in notice
    assert studio.frame.design.brand.primary == "#FFF59D"


def test_a_bad_colour_is_marked_and_the_card_keeps_the_last_good_one(studio, qtbot):
    good = studio.design.brand.primary
    studio.ui.primary_edit.clear()
    qtbot.keyClicks(studio.ui.primary_edit, "#12zz")
    assert studio.design.brand.primary == good
    assert "#12zz" in studio.ui.primary_edit.toolTip()
    assert "border" in studio.ui.primary_edit.styleSheet()


def test_template_size_and_theme_change_the_card(studio):
    studio.ui.size_combo.setCurrentIndex(studio.ui.size_combo.findData("square"))
    assert (studio.frame.image.width(), studio.frame.image.height()) == (1200, 1200)
    studio.ui.template_combo.setCurrentIndex(studio.ui.template_combo.findData("streak_90"))
    assert studio.frame.design.spec.kind == "streak_90"
    assert studio.ui.headline_edit.text() != "Productivity Machine"
    light = studio.frame.image.pixel(5, 5)
    studio.ui.theme_combo.setCurrentIndex(studio.ui.theme_combo.findData("dark"))
    assert studio.frame.design.brand.theme == "dark"
    assert studio.frame.image.pixel(5, 5) != light


def test_a_logo_dropped_on_the_logo_area_goes_on_the_card(studio, tmp_path):
    logo = tmp_path / "acme.png"
    Image.new("RGBA", (200, 80), (220, 20, 60, 255)).save(logo)
    before = _pixels(studio.frame.image)
    enter, drop = drop_files(studio.logo_area, [logo])
    assert enter.isAccepted() and drop.isAccepted()
    assert studio.design.brand.logo_png
    assert studio.logo_area.has_logo
    assert _pixels(studio.frame.image) != before


def test_a_broken_logo_is_refused_with_its_name(studio, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    studio.use_logo_file(broken)
    assert studio.design.brand.logo_png is None
    error = studio.ctx.errors.history[-1]
    assert "broken.png" in error.message
    text_file = tmp_path / "animation.gif"
    text_file.write_text("x")
    enter, _drop_event = drop_files(studio.logo_area, [text_file])
    assert not enter.isAccepted()


def test_save_as_png_writes_the_card_as_designed(studio, qtbot, tmp_path):
    qtbot.keyClicks(studio.ui.headline_edit, "!")
    target = tmp_path / "cards" / "ada.png"
    with qtbot.waitSignal(studio.card_saved):
        studio.save_to(target)
    with Image.open(target) as saved:
        assert saved.size == (1200, 627)
        assert saved.convert("RGB").tobytes() == studio.design.render().image.tobytes()


def test_copy_image_puts_the_full_card_on_the_clipboard(studio, qtbot):
    with qtbot.waitSignal(studio.image_copied):
        studio.copy_image()
    image = QGuiApplication.clipboard().image()
    assert (image.width(), image.height()) == (1200, 627)
