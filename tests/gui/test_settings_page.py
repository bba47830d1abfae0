"""The Settings page: brand, model with its live impact count, Slack secrets and test."""

from __future__ import annotations

from PySide6.QtCore import Qt


def open_settings(win):
    return win.show_page("settings")


def test_brand_is_saved_and_reloaded(window, db_path, tmp_path, qtbot, make_window):
    page = open_settings(window)
    ui = page.ui
    ui.product_name_edit.setText("Acme Boards")
    ui.product_url_edit.setText("https://acme.example")
    ui.primary_edit.setText("#112233")
    ui.secondary_edit.setText("#aabbcc")
    ui.theme_combo.setCurrentIndex(ui.theme_combo.findData("dark"))
    with qtbot.waitSignal(page.brand_saved):
        qtbot.mouseClick(ui.brand_save_button, Qt.MouseButton.LeftButton)
    assert ui.brand_status.text() == "Brand saved."

    from plm_desktop.cards import load_brand
    from plm_desktop.store import open_database

    db = open_database(db_path)
    brand = load_brand(db)
    db.close()
    assert (brand.product_name, brand.primary, brand.secondary, brand.theme) == (
        "Acme Boards",
        "#112233",
        "#AABBCC",
        "dark",
    )

    again = make_window()
    again.open_database_file(db_path)
    page2 = open_settings(again)
    assert page2.ui.product_name_edit.text() == "Acme Boards"
    assert page2.ui.product_url_edit.text() == "https://acme.example"
    assert page2.ui.primary_edit.text() == "#112233"
    assert page2.ui.theme_combo.currentData() == "dark"


def test_bad_colour_is_refused_with_the_field_named(window, db_path, qtbot):
    page = open_settings(window)
    page.ui.primary_edit.setText("blue-ish")
    page.save_brand()
    assert "primary" in page.ui.brand_status.text()
    assert "blue-ish" in page.ui.brand_status.text()
    from plm_desktop.store import open_database

    db = open_database(db_path)
    assert db.get_setting("brand") is None
    db.close()


def test_logo_is_read_checked_and_saved(window, db_path, tmp_path, qtbot):
    from PySide6.QtGui import QColor, QImage

    image = QImage(120, 60, QImage.Format.Format_ARGB32)
    image.fill(QColor("#ff6600"))
    logo = tmp_path / "logo.png"
    image.save(str(logo))
    page = open_settings(window)
    page.load_logo(logo)
    assert page.logo_png and page.ui.logo_preview.pixmap() is not None
    with qtbot.waitSignal(page.brand_saved) as saved:
        page.save_brand()
    assert saved.args[0].logo_png == page.logo_png


def test_model_change_counts_its_impact_then_saves_and_rescores(
    sample_window, sample_db_path, qtbot
):
    from plm_desktop.scoring import ScoringModel, leaderboard
    from plm_desktop.store import open_database

    db = open_database(sample_db_path)
    board = leaderboard(db, top=None)
    db.close()
    expected_after = sum(1 for u in board.rows if u.score >= 50)
    assert expected_after > board.candidate_count

    page = open_settings(sample_window)
    assert page.model_inputs["candidate_min"].value() == 70
    with qtbot.waitSignal(page.impact_ready, timeout=5000) as ready:
        page.set_model_value("candidate_min", 50)
        page.count_impact()
    preview = ready.args[0].preview
    assert preview.candidates_now == board.candidate_count
    assert preview.candidates_after == expected_after
    assert preview.candidate_changes == expected_after - board.candidate_count
    assert ready.args[0].wins_before is None  # thresholds untouched: nothing to count
    assert f"{board.candidate_count} → {expected_after}" in page.ui.impact_label.text()

    db = open_database(sample_db_path)
    assert ScoringModel.load(db).candidate_min == 70, "nothing is saved before Save"
    db.close()

    with qtbot.waitSignal(page.model_saved):
        qtbot.mouseClick(page.ui.model_save_button, Qt.MouseButton.LeftButton)
    db = open_database(sample_db_path)
    assert ScoringModel.load(db).candidate_min == 50
    assert leaderboard(db).candidate_count == expected_after
    db.close()
    board_page = sample_window.show_page("leaderboard")
    assert (
        f"{expected_after} advocate candidates (score 50+)" in board_page.ui.summary_label.text()
    )


def test_invalid_model_is_explained_and_cannot_be_saved(sample_window, qtbot):
    page = open_settings(sample_window)
    page.set_model_value("depth.mid_min", 9)  # above deep_min
    page.count_impact()
    assert page.ui.impact_label.text().startswith("Not valid yet:")
    assert "mid_min" in page.ui.impact_label.text()
    assert not page.ui.model_save_button.isEnabled()


def _fresh_wins(source_path, tmp_path, name, change) -> int:
    """Milestones of the latest week, detected afresh on a copy under a changed model."""
    from plm_desktop.scoring import (
        ScoringModel,
        detect_milestones,
        latest_scored_week,
        rescore_all,
        weeks,
    )
    from plm_desktop.store import open_database
    from plm_desktop.store.database import backup_to

    source = open_database(source_path)
    copy_path = backup_to(source, tmp_path / name)
    source.close()
    db = open_database(copy_path)
    try:
        model = ScoringModel.load(db)
        change(model)
        with db.transaction() as conn:
            conn.execute("DELETE FROM milestones")
        rescore_all(db, model)
        detect_milestones(db, weeks(db), model)
        week = latest_scored_week(db)
        return db.conn.execute(
            "SELECT COUNT(*) FROM milestones WHERE week = ?", (week,)
        ).fetchone()[0]
    finally:
        db.close()


def test_milestone_threshold_change_counts_wins(sample_window, sample_db_path, tmp_path, qtbot):
    def lower_task_total(model):
        model.milestones.task_total = 40

    expected_before = _fresh_wins(sample_db_path, tmp_path, "before.sqlite", lambda m: None)
    expected_after = _fresh_wins(sample_db_path, tmp_path, "after.sqlite", lower_task_total)
    assert expected_before != expected_after

    page = open_settings(sample_window)
    with qtbot.waitSignal(page.impact_ready, timeout=5000) as ready:
        page.set_model_value("milestones.task_total", 40)
        page.count_impact()
    impact = ready.args[0]
    assert (impact.wins_before, impact.wins_after) == (expected_before, expected_after)
    assert f"wins that week {expected_before} → {expected_after}" in page.ui.impact_label.text()


def test_slack_token_goes_to_the_keyring_and_test_reports_scopes(
    window, secret_service, slack_peer, monkeypatch, qtbot
):
    monkeypatch.setenv("SLACK_API_URL", slack_peer.url)
    page = open_settings(window)
    page.ui.token_edit.setText(slack_peer.token)
    with qtbot.waitSignal(page.secret_saved) as saved:
        qtbot.mouseClick(page.ui.token_save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].kind == "keyring"
    assert page.ui.token_edit.text() == ""
    assert page.ui.token_edit.placeholderText().startswith("saved")

    import keyring

    from plm_desktop.sharing.secrets import BOT_TOKEN, SERVICE_NAME, find_keyring_backend

    assert find_keyring_backend().get_password(SERVICE_NAME, BOT_TOKEN) == slack_peer.token
    assert keyring  # the real keyring module is what stored it

    with qtbot.waitSignal(page.connection_tested) as tested:
        qtbot.mouseClick(page.ui.test_button, Qt.MouseButton.LeftButton)
    assert tested.args[0].startswith("Connected to")
    assert page.ui.connection_label.text() == tested.args[0]


def test_connection_test_without_a_token_says_what_to_do(window, no_secret_service, qtbot):
    page = open_settings(window)
    assert "only until PLM Desktop closes" in page.ui.store_status.text()
    with qtbot.waitSignal(page.connection_tested) as tested:
        page.test_connection()
    assert "No Slack bot token is saved" in tested.args[0]


def test_data_tab_shows_the_database(window, db_path):
    page = open_settings(window)
    assert page.ui.database_path_label.text() == str(db_path)
