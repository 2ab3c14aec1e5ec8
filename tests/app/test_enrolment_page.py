"""Admin enrolment: the one-time password and its welcome sheet stay until dismissed, the form
clears after success and the new account is listed at once (issue 19 item 10)."""
from __future__ import annotations

import io

import pypdf
import pytest

from tests.app.conftest import sign_in, texts
from tests.app.test_export_page import deferred  # noqa: F401 (fixture)


@pytest.fixture
def clinic(users, session):
    admin = users.admin(name="boss")
    therapist = users.therapist(name="dana")
    users.client(therapist, name="robin")
    session.commit()
    return {"boss": admin, "dana": therapist}


def _people_page(app):
    sign_in(app, "boss")
    return app.switch_page("pages/admin/people.py").run()


def _fill(at, name: str, username: str, therapist_id: int):
    at.text_input(key="new-name").input(name)
    at.text_input(key="new-username").input(username)
    at.selectbox(key="new-therapist").set_value(therapist_id)
    return next(b for b in at.button if b.label == "Create account").click().run()


@pytest.fixture
def sheets(deferred):
    """The welcome sheet the page offers, made as a tap would make it."""
    return lambda username: deferred[f"welcome-{username}.pdf"][0]()


def _pdf_text(data: bytes) -> str:
    """The sheet's words, one space apart (pypdf spaces justified lines out)."""
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(p.extract_text() for p in pages).split())


def test_enrolment_hands_over_and_clears(app, clinic, sheets):
    at = _people_page(app)
    at = _fill(at, "Avery Example", "avery", clinic["dana"].id)
    assert not at.exception
    assert "Account created for **Avery Example** (avery)" in texts(at)
    temporary = at.code[0].value
    # listed at once, and the form is blank again
    assert "avery" in at.dataframe[0].value["Username"].tolist()
    assert at.text_input(key="new-name").value == ""
    assert at.text_input(key="new-username").value == ""
    # the password survives another click elsewhere on the page
    account = next(s for s in at.selectbox if s.label == "Account")
    at = account.set_value(clinic["dana"].id).run()
    assert at.code[0].value == temporary
    assert at.get("download_button")[0].proto.label == "Download the welcome sheet (PDF)"
    assert len(pypdf.PdfReader(io.BytesIO(sheets("avery"))).pages) == 1
    sheet = _pdf_text(sheets("avery"))
    for part in ("Harbor Light IOP", "avery", temporary, "Avery Example", "988", "911",
                 "1-800-662-4357", "What to expect", "App address: /"):
        assert part in sheet
    at = next(b for b in at.button if b.label == "Done: I've handed it over").click().run()
    assert not at.code and "Account created" not in texts(at)


def test_failed_enrolment_keeps_what_was_typed(app, clinic):
    at = _people_page(app)
    at = _fill(at, "Robin Again", "robin", clinic["dana"].id)
    assert "That username is taken" in texts(at)
    assert at.text_input(key="new-name").value == "Robin Again"
    assert not at.get("download_button")


def test_reset_password_keeps_its_sheet_until_dismissed(app, clinic, sheets):
    at = _people_page(app)
    account = next(s for s in at.selectbox if s.label == "Account")
    at = account.set_value(clinic["dana"].id).run()
    at = next(b for b in at.button if b.label == "Reset password").click().run()
    assert "password? Their current password stops working" in texts(at)
    at = next(b for b in at.button if b.label == "Yes, reset password").click().run()
    temporary = at.code[0].value
    at = next(s for s in at.selectbox if s.label == "Account").set_value(None).run()
    assert at.code[0].value == temporary and "New password for" in texts(at)
    assert temporary in _pdf_text(sheets("dana")) and "was reset" in _pdf_text(sheets("dana"))


def test_discharge_updates_at_once_and_the_table_shows_labels(app, clinic, session):
    from companion.clinic import get_clinic

    at = _people_page(app)
    table = at.dataframe[0].value
    robin = table[table["Username"] == "robin"].iloc[0]
    assert robin["Track"] == get_clinic().track_label("morning") != "morning"
    assert robin["Location"] == get_clinic().location_label("north") != "north"
    account = next(s for s in at.selectbox if s.label == "Account")
    from companion.people import find_user

    at = account.set_value(find_user(session, "robin").id).run()
    at = next(b for b in at.button if b.label == "Discharge to alumni").click().run()
    assert "to alumni? They keep their records" in texts(at)
    at = next(b for b in at.button if b.label == "Cancel").click().run()   # nothing happens
    table = at.dataframe[0].value
    assert table[table["Username"] == "robin"].iloc[0]["Role"] == "client"
    at = next(b for b in at.button if b.label == "Discharge to alumni").click().run()
    at = next(b for b in at.button if b.label == "Yes, discharge to alumni").click().run()
    assert not at.exception
    assert "Discharged: they keep their records" in texts(at)
    table = at.dataframe[0].value
    assert table[table["Username"] == "robin"].iloc[0]["Role"] == "alumni"
    assert not [b for b in at.button if b.label == "Discharge to alumni"]
