"""Attribution by referral code, by UTM and by landing URL; hand attribution; linking."""

from __future__ import annotations

import pytest

from plm_desktop.loop.attribution import (
    AttributionError,
    attribute_by_hand,
    attribute_signups,
    link_signups_to_users,
    signups,
)
from plm_desktop.loop.codes import CodeBook, url_code_candidates, url_parameters

BOOK = CodeBook({"ana7k2": "u1", "BOQ9X1": "u2"})


def test_code_column_matches_case_blind():
    found = BOOK.match(referral_code=" ANA7K2 ")
    assert (found.user_id, found.how, found.code) == ("u1", "code", "ANA7K2")
    assert BOOK.match(referral_code="nope") is None
    assert BOOK.match() is None


def test_utm_content_or_campaign_carrying_the_code():
    by_content = BOOK.match(utm={"utm_source": "linkedin", "utm_content": "boq9x1"})
    assert (by_content.user_id, by_content.how) == ("u2", "utm")
    by_campaign = BOOK.match(utm={"utm_campaign": "advocate-ana7k2"})
    assert (by_campaign.user_id, by_campaign.how, by_campaign.code) == ("u1", "utm", "ana7k2")
    assert BOOK.match(utm={"utm_campaign": "winter-sale", "utm_source": "ana7k2"}) is None


def test_landing_url_with_ref_or_utm_parameters():
    ref = BOOK.match(landing_url="https://acme.io/signup?ref=ana7k2&plan=team")
    assert (ref.user_id, ref.how) == ("u1", "url")
    utm = BOOK.match(
        landing_url="https://acme.io/?utm_source=linkedin&utm_medium=social"
        "&utm_campaign=win_card&utm_content=boq9x1"
    )
    assert (utm.user_id, utm.how) == ("u2", "url")
    fragment = BOOK.match(landing_url="acme.io/#/welcome?ref=BOQ9X1")
    assert fragment.user_id == "u2"
    assert BOOK.match(landing_url="https://acme.io/pricing") is None
    assert BOOK.match(landing_url="not a url at all") is None


def test_most_direct_evidence_wins():
    found = BOOK.match(
        referral_code="ana7k2",
        utm={"utm_content": "boq9x1"},
        landing_url="https://acme.io/?ref=boq9x1",
    )
    assert (found.user_id, found.how) == ("u1", "code")
    unknown_code = BOOK.match(referral_code="zzz", utm={"utm_content": "boq9x1"})
    assert (unknown_code.user_id, unknown_code.how) == ("u2", "utm")


def test_url_parameter_reading():
    assert url_parameters("https://a.io/x?REF=abc&ref=def") == {"ref": "abc"}
    assert url_parameters(None) == {}
    assert url_code_candidates("https://a.io/?utm_campaign=c&ref=r&utm_content=k") == [
        "r",
        "k",
        "c",
    ]


def _store(db, rows):
    """Store signups as an import would: one import, rows of column -> value."""
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO users (user_id, email, name) VALUES (?, ?, ?)",
            [
                ("u1", "ana@acme.io", "Ana"),
                ("u2", "bo@acme.io", "Bo"),
                ("n9", "NEW@Client.com", "New Person"),
            ],
        )
        import_id = conn.execute(
            "INSERT INTO imports (kind, file_name, content_hash, rows, inserted, updated,"
            " unchanged, imported_at) VALUES ('signups', 's.csv', 'h', 0, 0, 0, 0, 'now')"
        ).lastrowid
        ids = []
        for n, row in enumerate(rows):
            columns = ["signup_key", "signed_up_on", "import_id", *row]
            values = [f"k{n}", "2026-11-10", import_id, *row.values()]
            marks = ", ".join("?" * len(values))
            ids.append(
                conn.execute(
                    f"INSERT INTO signups ({', '.join(columns)}) VALUES ({marks})", values
                ).lastrowid
            )
    return ids


def test_stored_signups_are_attributed_and_unmatched_ones_kept(db):
    ids = _store(
        db,
        [
            {"email": "a@x.com", "referral_code": "ana7k2"},
            {"email": "b@x.com", "utm_content": "boq9x1"},
            {"email": "c@x.com", "landing_url": "https://acme.io/?ref=ana7k2"},
            {"email": "d@x.com", "utm_campaign": "spring"},
        ],
    )
    assert attribute_signups(db, book=BOOK) == 3
    rows = {s.signup_id: s for s in signups(db)}
    assert [(rows[i].advocate_user_id, rows[i].how) for i in ids] == [
        ("u1", "code"),
        ("u2", "utm"),
        ("u1", "url"),
        (None, None),
    ]
    unmatched = signups(db, unattributed=True)
    assert [s.email for s in unmatched] == ["d@x.com"]
    assert [s.email for s in signups(db, advocate_user_id="u1")] == ["c@x.com", "a@x.com"]
    assert attribute_signups(db, book=BOOK) == 0  # a second pass changes nothing


def test_hand_attribution_stands_against_later_passes(db):
    ids = _store(
        db,
        [
            {"email": "d@x.com", "utm_campaign": "spring"},
            {"email": "e@x.com", "referral_code": "ana7k2"},
        ],
    )
    attribute_by_hand(db, ids[0], "u2")
    attribute_by_hand(db, ids[1], "u2")  # the founder knows better than the code
    attribute_signups(db, book=BOOK)
    rows = {s.signup_id: s for s in signups(db)}
    assert (rows[ids[0]].advocate_user_id, rows[ids[0]].how) == ("u2", "manual")
    assert (rows[ids[1]].advocate_user_id, rows[ids[1]].how) == ("u2", "manual")
    attribute_by_hand(db, ids[1], None)
    assert [s.signup_id for s in signups(db, unattributed=True)] == [ids[1]]
    with pytest.raises(AttributionError, match="no signup"):
        attribute_by_hand(db, 999, "u1")
    with pytest.raises(AttributionError, match="no user"):
        attribute_by_hand(db, ids[0], "ghost")


def test_signups_link_to_users_by_id_then_email(db):
    ids = _store(
        db,
        [
            {"external_id": "n9", "email": "someone@else.com"},
            {"email": "new@client.com"},
            {"email": "stranger@x.com"},
        ],
    )
    assert link_signups_to_users(db) == 2
    rows = {s.signup_id: s for s in signups(db)}
    assert [rows[i].user_id for i in ids] == ["n9", "n9", None]
    assert link_signups_to_users(db) == 0
