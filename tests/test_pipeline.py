"""The import pipeline: store, rescore, and link signups to the users they became."""

from __future__ import annotations

from plm_desktop.loop.attribution import signups
from plm_desktop.pipeline import import_usage
from tests.signup_rows import add_signup


def test_a_usage_import_links_a_referred_signup_to_its_new_user(db, tmp_path):
    signup_id = add_signup(db, "k1", "2026-11-10", email="Late.Joiner@example.com")
    export = tmp_path / "usage-2026-11-30.csv"
    export.write_text(
        "user_id,email,active_days,features_used\n"
        "u1,founder@example.com,5,4\n"
        "u7,late.joiner@example.com,2,1\n",
        encoding="utf-8",
    )

    result = import_usage(db, export)

    assert result.inserted == 2 and result.scored is not None
    [signup] = [s for s in signups(db) if s.signup_id == signup_id]
    assert signup.user_id == "u7"
