"""The characters saved text may hold (companion/core/textrules.py), and issue 14 finding 11:
a telehealth link with CR/LF in it was saved, and every calendar file for that track and site
then raised. (Every form service is run through these rules in test_hostile_input.py.)"""
from dataclasses import replace
from datetime import time, timedelta

import pytest

from companion import groups
from companion.core import textrules
from companion.core.errors import FormErrors, InvalidInput
from companion.core.timeutil import clinic_today
from companion.models import Enrolment
from tests.conftest import actor


@pytest.mark.parametrize("text", ["\x00", "\x07", "\x1b[31m", "\r", "\x7f", "\x85", "\x9b",
                                  "\u200b", "\u200e", "\u202e", "\u2066", "\u2069", "\u2028",
                                  "\u2029", "\ufeff", "\u2060", "\U000e0041", "\ud800"])
def test_control_and_hidden_formatting_characters_are_refused_everywhere(text):
    for multiline in (False, True):
        found = textrules.problem(f"ab{text}cd", multiline=multiline)
        assert found and found.startswith("This has a ") and "retype" in found


def test_line_breaks_and_tabs_only_where_a_field_takes_several_lines():
    assert textrules.problem("one\ntwo\tthree", multiline=True) is None
    assert "line break" in textrules.problem("one\ntwo")
    assert "tab" in textrules.problem("one\ttwo")


def test_the_message_names_the_character_and_the_field():
    found = textrules.problem("Sis\u202e", subject="Name (2)")
    assert found == ("Name (2) has a hidden formatting character (U+202E, right-to-left "
                     "override) that we can't save. Please retype it.")
    with pytest.raises(InvalidInput, match="^The note has a hidden control character "
                                           r"\(U\+0000, null\)"):
        textrules.require("a\x00b", subject="The note")


@pytest.mark.parametrize("text", [
    "👩\u200d👩\u200d👧\u200d👦", "👨🏽\u200d⚕️", "❤️\u200d🔥", "🏳️\u200d🌈", "1️⃣",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # Scotland
    "می\u200cخواهم", "क्\u200dष", "Zoë Ünal", "مرحبا", "שלום", "𝕳𝖊𝖑𝖑𝖔", "e\u0301"])
def test_what_people_type_on_phones_is_kept(text):
    assert textrules.problem(text) is None


@pytest.mark.parametrize("text", ["pass\u200cword", "a\u200db", "\u200d👩", "👩\u200d",
                                  "x\U000e0067\U000e007f", "🏴\U000e0067"])
def test_joiners_and_tags_that_join_nothing_are_refused(text):
    assert textrules.problem(text) is not None


def _telehealth(therapist, link: str) -> groups.SeriesInput:
    day = clinic_today() + timedelta(days=3)
    return groups.SeriesInput(title="Telehealth group", track="morning", location="telehealth",
                              link=link, facilitator_id=therapist.id, first_day=day,
                              start=time(18), end=time(19), weekdays=[day.weekday()])


@pytest.mark.parametrize("link", ["https://meet.example/room\r\nX-Extra:1",
                                  "https://meet.example/room\nnext", "https://meet.example/\x00",
                                  "https://meet.example/\u202eroom"])
def test_a_telehealth_link_with_control_characters_is_refused(session, users, link):
    admin, therapist = actor(users.admin()), users.therapist()
    with pytest.raises(FormErrors) as refused:
        groups.schedule_series(session, admin, _telehealth(therapist, link))
    assert set(refused.value.fields) == {"link"}
    series = groups.schedule_series(session, admin,
                                    _telehealth(therapist, "https://meet.example/room"))
    with pytest.raises(FormErrors) as refused:
        groups.update_series(session, admin, series.id, _telehealth(therapist, link))
    assert set(refused.value.fields) == {"link"}


def test_the_calendar_files_of_a_telehealth_track_keep_working(session, users):
    admin, therapist = actor(users.admin()), users.therapist()
    client = users.client(therapist)
    session.get(Enrolment, client.id).location = "telehealth"
    groups.schedule_series(session, admin, _telehealth(therapist, "https://meet.example/room"))
    try:
        later = replace(_telehealth(therapist, "https://meet.example/b\r\nX-Extra:1"),
                        start=time(20), end=time(21))
        groups.schedule_series(session, admin, later)
    except FormErrors:
        pass
    ics = groups.calendar_file(session, actor(client))
    assert b"https://meet.example/room" in ics and b"X-Extra" not in ics
