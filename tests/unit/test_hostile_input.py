"""Hostile input through the services behind the forms (Hypothesis).

Every example goes through the service as a page calls it, in its own `session_scope()`:
it is either stored exactly (read back equal, from a fresh session) or refused with a
`CompanionError` whose message is plain words, and a refusal leaves every table's row count
as it was, even inside the refusing transaction (no half-written rows). Any other exception
fails the test.
"""
from __future__ import annotations

import copy
import itertools
import math
from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

from companion import (aftercare, chains, checkins, cravings, flags, groups, passwords, people,
                       safety, skills)
from companion.core import db
from companion.actors import Actor
from companion.checkins import CheckInEntry
from companion.clinic import get_clinic
from companion.cravings import CravingEntry
from companion.core.errors import CompanionError, FormErrors
from companion.core.timeutil import clinic_today, clinic_zone
from companion.models import ChainAnalysis, Craving, Role, User
from companion.tags import trigger_options
from tests.conftest import People
from tests.support.entries import answered

hostile = settings(max_examples=40, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])

NASTY = [
    "", " ", "\t\n\r ", "\x00", "a\x00b", "\x07\x08\x1b[31mred\x1b[0m", "\u202egnp.exe",
    "\u200b\u200d\ufeff", "e\u0301\u0301\u0301", "مرحبا بالعالم", "𝕳𝖊𝖑𝖑𝖔", "🧨💊🍺🚬" * 5,
    "👩‍👩‍👧‍👦", "<script>alert(document.cookie)</script>", "<img src=x onerror=alert(1)>",
    "javascript:alert(1)", "**bold** [link](http://evil.example) ![x](http://evil.example/x.png)",
    "'; DROP TABLE checkins; --", "Robert'); DELETE FROM users;--", "1 OR 1=1", "%s%s%n%x",
    "{{7*7}} ${7*7} <%= 7*7 %>", "NaN", "Infinity", "-0", "null", "None", "\\", "\\\\'\"`",
    "line one\r\nline two\nline three", "  padded  ", "²", "٣", "Ⅻ",
]


def huge(min_repeat: int = 100, max_repeat: int = 6000):
    return st.builds(lambda s, n: s * n, st.sampled_from(["a", "🧨", "\x00", "é ", "<b>"]),
                     st.integers(min_repeat, max_repeat))


TEXT = st.one_of(st.text(max_size=40), st.sampled_from(NASTY), huge(),
                 st.text(min_size=1, max_size=8).map(lambda s: s * 40))
NUMBER = st.one_of(st.integers(-10**9, 10**9), st.integers(-2, 12),
                   st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.5, 23.999, 24.0001]))
ODD = st.sampled_from([None, "7", b"7", [], {}])


def tables() -> list[sa.Table]:
    import companion.models  # noqa: F401

    return list(SQLModel.metadata.sorted_tables)


def row_counts(session) -> dict[str, int]:
    return {t.name: session.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in tables()}


@contextmanager
def refused_or_stored():
    """Yields a one-item list to put the service's result in; None in it means refused."""
    outcome: list = []
    with db.session_scope() as session:
        before = row_counts(session)
        try:
            yield session, outcome
        except CompanionError as exc:
            message = str(exc)
            assert message and "Traceback" not in message and len(message) < 600
            assert row_counts(session) == before, "a refused save wrote rows"
            outcome[:] = [None]
            session.rollback()
    if outcome == [None]:
        with db.session_scope() as fresh:
            assert row_counts(fresh) == before


@pytest.fixture
def cast(db_url):
    """Accounts committed up front (each example runs in its own session)."""
    with db.session_scope() as session:
        make = People(session)
        admin, therapist = make.admin(), make.therapist()
        client = make.client(therapist)
        ids = {"admin": admin.id, "therapist": therapist.id, "client": client.id}
    with db.session_scope() as session:
        return {k: Actor.of(session.get(User, v)) for k, v in ids.items()}


def labels(options: list[str]):
    return st.lists(st.one_of(st.sampled_from(options), TEXT), max_size=4)


@st.composite
def checkin_entries(draw):
    clinic = get_clinic()
    return CheckInEntry(
        mood=draw(st.one_of(st.integers(1, 10), NUMBER, st.none())),
        craving=draw(st.one_of(st.integers(0, 10), NUMBER, st.none())),
        stress=draw(st.one_of(st.integers(0, 10), NUMBER, st.none())),
        sleep_hours=draw(st.one_of(st.floats(0, 24), NUMBER, ODD)),
        sleep_quality=draw(st.one_of(st.integers(1, 5), NUMBER)),
        used=draw(st.one_of(st.sampled_from(["no", "yes", "prefer_not"]), TEXT, st.none())),
        substances=draw(st.one_of(st.just([]), labels(list(clinic.substances)))),
        use_details=draw(TEXT), triggers=draw(st.one_of(st.just([]),
                                                        labels(list(clinic.triggers)))),
        new_trigger=draw(st.one_of(st.just(""), TEXT)),
        skills=draw(st.one_of(st.just([]), labels(list(clinic.coping)))),
        medication=draw(st.one_of(st.sampled_from([None, "yes", "no"]), TEXT)),
        note=draw(TEXT), bring_to_group=draw(TEXT))


@hostile
@given(entry=checkin_entries())
@example(entry=answered(sleep_hours=math.nan))
@example(entry=answered(sleep_hours=math.inf))
@example(entry=answered(note="<script>alert(1)</script>\x00'; DROP TABLE checkins; --"))
@example(entry=answered(new_trigger="a\x00b"))
@example(entry=CheckInEntry(note="typed, with nothing else answered"))
def test_checkin(cast, entry):
    me = cast["client"]
    given_entry = copy.deepcopy(entry)
    with refused_or_stored() as (session, outcome):
        outcome.append(checkins.record_checkin(session, me, entry).checkin.id)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        saved = checkins.current(session, me, me.id, checkins.clinic_today())
        assert saved.id == outcome[0]
        back = checkins.entry_of(session, saved)
        options = trigger_options(session, me.id)
    used = given_entry.used
    for name in ("mood", "craving", "stress", "sleep_quality"):
        assert getattr(back, name) == getattr(given_entry, name)
        assert type(getattr(back, name)) is int
    assert back.sleep_hours == float(given_entry.sleep_hours) and 0 <= back.sleep_hours <= 24
    assert back.used == used and back.medication == given_entry.medication
    assert back.note == given_entry.note.strip() and len(back.note) <= checkins.NOTE_MAX
    assert back.bring_to_group == given_entry.bring_to_group.strip()
    assert back.use_details == (given_entry.use_details.strip() if used == "yes" else "")
    assert back.substances == (list(dict.fromkeys(given_entry.substances))
                               if used == "yes" else [])
    assert back.skills == list(dict.fromkeys(given_entry.skills))
    new = " ".join(given_entry.new_trigger.split())
    assert back.triggers == list(dict.fromkeys([*given_entry.triggers, *([new] if new else [])]))
    assert set(back.triggers) <= set(options)


@st.composite
def craving_entries(draw):
    clinic = get_clinic()
    return CravingEntry(
        intensity=draw(st.one_of(st.integers(0, 10), NUMBER)),
        triggers=draw(st.one_of(st.just([]), labels(list(clinic.triggers)))),
        new_trigger=draw(st.one_of(st.just(""), TEXT)),
        where=draw(TEXT), with_whom=draw(TEXT),
        coping=draw(st.one_of(st.just([]), labels(list(clinic.coping)))),
        outcome=draw(st.one_of(st.sampled_from([None, *cravings.OUTCOMES]), TEXT)),
        duration_minutes=draw(st.one_of(st.none(), st.integers(0, 1440), NUMBER)),
        surf_seconds=draw(st.one_of(st.none(), st.integers(0, 6 * 3600), NUMBER)),
        note=draw(TEXT))


@hostile
@given(entry=craving_entries())
@example(entry=CravingEntry(duration_minutes=math.nan))
@example(entry=CravingEntry(duration_minutes=12.5))
@example(entry=CravingEntry(surf_seconds=math.inf))
def test_craving(cast, entry):
    me = cast["client"]
    given_entry = copy.deepcopy(entry)
    with refused_or_stored() as (session, outcome):
        outcome.append(cravings.log_craving(session, me, entry).craving.id)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        back = session.get(Craving, outcome[0])
        found = cravings.tags.tags_of(session, "craving", back.id)
    assert back.client_id == me.id and back.intensity == given_entry.intensity
    for name in ("duration_minutes", "surf_seconds"):
        value = getattr(back, name)
        assert value == getattr(given_entry, name)
        assert value is None or type(value) is int, f"{name} stored as {value!r}"
    assert back.outcome == given_entry.outcome
    for name in ("where", "with_whom", "note"):
        assert getattr(back, name) == getattr(given_entry, name).strip()
    new = given_entry.new_trigger.strip()
    assert found.get("trigger", []) == list(dict.fromkeys(
        [*given_entry.triggers, *([new] if new else [])]))
    assert found.get("coping", []) == list(dict.fromkeys(given_entry.coping))


CONTACT = st.fixed_dictionaries({"name": st.one_of(TEXT, st.just("Sis")),
                                 "phone": st.one_of(TEXT, st.just("555-555-0142"), ODD)})


@hostile
@given(sections=st.fixed_dictionaries(
    {k: st.one_of(TEXT, st.none()) for k in safety.TEXT_SECTIONS}
    | {k: st.lists(CONTACT, max_size=7) for k in safety.CONTACT_SECTIONS}))
def test_safety_plan(cast, sections):
    me = cast["client"]
    given_sections = copy.deepcopy(sections)
    with refused_or_stored() as (session, outcome):
        outcome.append(safety.save(session, me, sections).id)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        back = safety.current(session, me, me.id)
    assert back.id == outcome[0]
    for key in safety.TEXT_SECTIONS:
        assert back.sections[key] == (given_sections[key] or "").strip()
    for key in safety.CONTACT_SECTIONS:
        rows = [(str(r["name"] or "").strip(), str(r["phone"] or "").strip())
                for r in given_sections[key]]
        assert back.sections[key] == [{"name": n, "phone": p} for n, p in rows if n or p]


@hostile
@given(answers=st.dictionaries(st.one_of(st.sampled_from(list(chains.QUESTIONS)), TEXT),
                               st.one_of(TEXT, st.none()), max_size=7))
def test_look_back(cast, answers):
    me = cast["client"]
    given_answers = copy.deepcopy(answers)
    with refused_or_stored() as (session, outcome):
        outcome.append(chains.record(session, me, answers).id)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        back = session.get(ChainAnalysis, outcome[0])
    assert back.answers == {k: (given_answers.get(k) or "").strip() for k in chains.QUESTIONS}


def _aftercare_value(kind: str, fields: tuple[str, ...]):
    field = st.one_of(TEXT, st.none(), st.sampled_from(aftercare.CARE_LEVELS),
                      st.sampled_from(["2027-03-31", "2027-02-30", "50", "101", "²", "٣", "-1"]))
    if kind == "text":
        return st.one_of(TEXT, st.none())
    row = st.fixed_dictionaries({f: field for f in fields})
    return row if kind == "fields" else st.lists(row, max_size=7)


@hostile
@given(sections=st.fixed_dictionaries({k: _aftercare_value(kind, fields)
                                       for k, (_, kind, fields) in aftercare.SECTIONS.items()}))
@example(sections={**aftercare.empty_sections(),
                   "goals": [{"goal": "Walk", "target_date": "", "progress": "²"}]})
def test_aftercare_plan(cast, sections):
    me = cast["client"]
    given_sections = copy.deepcopy(sections)
    with refused_or_stored() as (session, outcome):
        outcome.append(aftercare.save(session, me, sections).version)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        back = aftercare.view(session, me, me.id).sections
    for key, (_, kind, fields) in aftercare.SECTIONS.items():
        value = given_sections[key]
        if kind == "text":
            assert back[key] == str(value or "").strip()
        elif kind == "fields":
            assert back[key] == {f: str(value.get(f) or "").strip() for f in fields}
        else:
            rows = [{f: str(r.get(f) or "").strip() for f in fields} for r in value]
            assert back[key] == [r for r in rows if any(r.values())]
    for goal in back["goals"]:
        assert goal["progress"] == "" or 0 <= int(goal["progress"]) <= 100


USERNAME = st.one_of(TEXT, st.from_regex(r"[a-z0-9][a-z0-9._-]{2,39}", fullmatch=True),
                     st.from_regex(r"\s*[A-Za-z0-9][A-Za-z0-9._-]{1,45}\s*", fullmatch=True))


@hostile
@given(username=USERNAME, name=st.one_of(TEXT, st.just("Avery Example")),
       role=st.sampled_from([Role.THERAPIST, Role.CLIENT, Role.ADMIN]))
@example(username="new-person", name="Avery\x00Example", role=Role.THERAPIST)
@example(username="new-person", name="<script>alert(1)</script>", role=Role.CLIENT)
def test_create_user(cast, username, name, role):
    admin = cast["admin"]
    extra = ({"therapist_id": cast["therapist"].id, "track": "morning", "location": "north"}
             if role == Role.CLIENT else {})
    with refused_or_stored() as (session, outcome):
        outcome.append(people.create_user(session, admin, username, name, role, **extra).user.id)
    if outcome == [None]:
        return
    with db.session_scope() as session:
        back = session.get(User, outcome[0])
    assert back.username == username.strip().lower()
    assert people.USERNAME_RE.match(back.username)
    assert back.display_name == " ".join(name.split()) and back.role == role


@hostile
@given(username=USERNAME)
def test_clean_username(username):
    try:
        clean = people.clean_username(username)
    except CompanionError as exc:
        assert "username" in str(exc)
        return
    assert clean == username.strip().lower() and people.USERNAME_RE.match(clean)


PASSWORD = st.one_of(TEXT, st.text(min_size=15, max_size=40),
                     st.sampled_from(["correct horse battery staple", "password123456789",
                                      "a quiet harbor at dawn 42", "  a quiet harbor at dawn 42  ",
                                      "quiet\x00harbor\x00lantern\x007319", "🧨" * 20,
                                      "é" * 36, "é" * 37, "x" * 72, "x" * 73]))


@settings(max_examples=50, deadline=None, database=None)
@given(password=PASSWORD)
@example(password="quiet\x00harbor\x00lantern\x007319")
def test_password_problem(password):
    problem = passwords.password_problem(password)
    if problem is not None:
        assert isinstance(problem, str) and problem
        with pytest.raises(CompanionError):
            passwords.check_new_password(password)
        return
    kept = passwords.check_new_password(password)
    assert kept == password.strip()
    assert 15 <= len(kept) and len(kept.encode("utf-8")) <= passwords.BCRYPT_MAX_BYTES
    hashed = passwords.hash_password(password)
    assert passwords.verify_password(password, hashed)
    assert not passwords.verify_password(kept[:-1], hashed)


def test_usernames_are_never_case_twins(cast):
    """An ID that differs only in case or padding is the same account (refused as taken)."""
    with db.session_scope() as session:
        people.create_user(session, cast["admin"], "casey.k", "Casey K", Role.THERAPIST)
    with pytest.raises(CompanionError, match="taken"):
        with db.session_scope() as session:
            people.create_user(session, cast["admin"], "  CASEY.K ", "Casey K", Role.THERAPIST)
    with db.session_scope() as session:
        assert len(session.exec(select(User).where(User.username == "casey.k")).all()) == 1


# --- characters no field may hold (issue 14, findings 1 and 11) ---------------------------
# Control characters (C0 but the line break and tab of multi-line fields, DEL, C1) and
# invisible formatting characters are refused at save by every service behind a form, with
# a message for the field that holds them, and nothing is written. Each is typed inside the
# text, where trimming can't take it away.

CONTROL = {"NUL": "\x00", "bell": "\x07", "escape": "\x1b", "carriage return": "\r",
           "unit separator": "\x1f", "DEL": "\x7f", "next line (C1)": "\x85",
           "CSI (C1)": "\x9b"}
FORMATTING = {"zero width space": "\u200b", "zero width non-joiner": "\u200c",
              "zero width joiner": "\u200d", "left-to-right mark": "\u200e",
              "right-to-left mark": "\u200f", "left-to-right embedding": "\u202a",
              "right-to-left override": "\u202e", "left-to-right isolate": "\u2066",
              "pop directional isolate": "\u2069", "line separator": "\u2028",
              "paragraph separator": "\u2029", "byte order mark": "\ufeff",
              "word joiner": "\u2060", "tag letter": "\U000e0041"}
ONE_LINE_ONLY = {"line break": "\n", "tab": "\t"}  # fine where a field takes several lines
KEPT = ["👩\u200d👩\u200d👧\u200d👦 my family", "🏳️\u200d🌈 pride", "می\u200cخواهم",
        "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f Cymru"]
_unique = itertools.count(1)


def _forbidden(multiline: bool) -> dict[str, str]:
    return {**CONTROL, **FORMATTING, **({} if multiline else ONE_LINE_ONLY)}


@pytest.fixture
def clinic(cast):
    """`cast`, with a group for the client's track and site next week and a plan waiting
    for review."""
    day = clinic_today() + timedelta(days=7)
    with db.session_scope() as session:
        series = groups.schedule_series(session, cast["admin"], groups.SeriesInput(
            title="Process group", track="morning", location="north",
            facilitator_id=cast["therapist"].id, first_day=day, start=time(10), end=time(11),
            weekdays=[day.weekday()]))
        aftercare.save(session, cast["client"], aftercare.empty_sections() | {"routine": "Walk"})
        aftercare.submit(session, cast["client"])
        session.flush()
        series_id = series.id
    at = datetime.combine(day, time(10), clinic_zone()).astimezone(timezone.utc)
    return cast | {"series": series_id, "at": at}


def _one_session_group(c, **kw) -> groups.SeriesInput:
    """A group of one session on a day of its own (so saved ones never overlap)."""
    day = clinic_today() + timedelta(days=8 + next(_unique))
    values = dict(title="Skills group", track="evening", location="river",
                  facilitator_id=c["therapist"].id, first_day=day, start=time(18),
                  end=time(19), weekdays=[day.weekday()], until=day)
    return groups.SeriesInput(**(values | kw))


def _edit_plan(s, c, section: str, value):
    if aftercare.view(s, c["client"], c["client"].id).status == "submitted":
        aftercare.withdraw(s, c["client"])
    return aftercare.save(s, c["client"], aftercare.empty_sections() | {section: value})


def _review_note(s, c, text: str):
    if aftercare.view(s, c["client"], c["client"].id).status != "submitted":
        aftercare.submit(s, c["client"])
    return aftercare.decide(s, c["therapist"], c["client"].id, False, text)


def _acknowledge(s, c, text: str):
    flag = flags.raise_flag(s, c["client"].id, flags.Rule.CRAVING_HIGH, "Craving 9/10",
                            "checkin", next(_unique))
    s.flush()
    return flags.acknowledge(s, c["therapist"], flag.id, text)


def _aftercare_value(kind: str, fields: tuple[str, ...]):
    if kind == "text":
        return lambda t: t
    if kind == "fields":
        return lambda t: {next(f for f in fields if f != "level"): t}
    return lambda t: [{fields[0]: t}]


def _forms():
    """(service, the field its refusal names, multi-line?, call(session, clinic, text))."""
    me = lambda c: c["client"]  # noqa: E731
    yield ("checkins", "note", True,
           lambda s, c, t: checkins.record_checkin(s, me(c), answered(note=t)))
    yield ("checkins", "use_details", True, lambda s, c, t: checkins.record_checkin(
        s, me(c), answered(used="yes", use_details=t)))
    for name in ("bring_to_group", "new_trigger"):
        yield ("checkins", name, False, lambda s, c, t, name=name: checkins.record_checkin(
            s, me(c), answered(**{name: t})))
    for name in ("where", "with_whom", "note", "new_trigger"):
        yield ("cravings", name, name == "note", lambda s, c, t, name=name:
               cravings.log_craving(s, me(c), CravingEntry(**{name: t})))
    for key in safety.TEXT_SECTIONS:
        yield ("safety plan", key, True,
               lambda s, c, t, key=key: safety.save(s, me(c), {key: t}))
    for key in safety.CONTACT_SECTIONS:
        yield ("safety plan", key, False, lambda s, c, t, key=key: safety.save(
            s, me(c), {key: [{"name": t, "phone": "555-555-0142"}]}))
    for key in chains.QUESTIONS:
        yield ("look-back", key, True,
               lambda s, c, t, key=key: chains.record(s, me(c), {key: t}))
    for key, (_, kind, fields) in aftercare.SECTIONS.items():
        value = _aftercare_value(kind, fields)
        yield ("aftercare", key, kind == "text",
               lambda s, c, t, key=key, value=value: _edit_plan(s, c, key, value(t)))
    yield ("aftercare review", "comment", False, lambda s, c, t: aftercare.comment(
        s, c["therapist"], c["client"].id, "routine", t))
    yield ("aftercare review", "note", True, _review_note)
    yield ("skills", "request", True, lambda s, c, t: skills.save_answers(
        s, me(c), "boundaries", "saying-no", {"request": t, "my_no": "No."}))
    yield ("skills", "my_no", False, lambda s, c, t: skills.save_answers(
        s, me(c), "boundaries", "saying-no", {"request": "A ride", "my_no": t}))
    yield ("skills practice", "note", False,
           lambda s, c, t: skills.log_practice(s, me(c), "Saying no", 6, t))
    yield ("skills assignment", "note", False, lambda s, c, t: skills.assign_module(
        s, c["therapist"], c["client"].id, "boundaries", t))
    yield ("groups", "title", False, lambda s, c, t: groups.schedule_series(
        s, c["admin"], _one_session_group(c, title=t)))
    yield ("groups", "topic", True, lambda s, c, t: groups.schedule_series(
        s, c["admin"], _one_session_group(c, topic=t)))
    yield ("groups", "link", False, lambda s, c, t: groups.schedule_series(
        s, c["admin"], _one_session_group(c, location="telehealth",
                                          link="https://meet.example/" + t.replace(" ", "-"))))
    yield ("group session", "note", False, lambda s, c, t: groups.cancel_occurrence(
        s, c["admin"], c["series"], c["at"], t))
    yield ("group answer", "reason", False, lambda s, c, t: groups.rsvp(
        s, me(c), c["series"], c["at"], False, t))
    yield ("people", "name", False, lambda s, c, t: people.create_user(
        s, c["admin"], f"avery{next(_unique)}", t, Role.THERAPIST))
    yield ("flags", "note", False, _acknowledge)


FORMS = {f"{service}: {field}": (field, multiline, call)
         for service, field, multiline, call in _forms()}


def _refusal(call, clinic, text: str) -> CompanionError | None:
    """The service called as a page calls it: the refusal it raised (having written
    nothing), or None if it saved."""
    with db.session_scope() as session:
        before = row_counts(session)
    try:
        with db.session_scope() as session:
            call(session, clinic, text)
    except CompanionError as exc:
        with db.session_scope() as session:
            assert row_counts(session) == before, "a refused save wrote rows"
        return exc
    return None


def _message_for(exc: CompanionError, field: str) -> str:
    """What the person reads about `field`: beside it (FormErrors), else the one message."""
    return exc.fields.get(field, "") if isinstance(exc, FormErrors) else str(exc)


@pytest.mark.parametrize("form", list(FORMS))
def test_every_form_refuses_hidden_characters_and_says_so_beside_the_field(clinic, form):
    field, multiline, call = FORMS[form]
    for what, ch in _forbidden(multiline).items():
        exc = _refusal(call, clinic, f"Call my sis{ch}ter")
        assert exc is not None, f"{form} saved text holding a {what}"
        message = _message_for(exc, field)
        expected = what if what in ONE_LINE_ONLY else "hidden"
        assert expected in message and len(message) < 300, f"{form}, {what}: {message!r}"
    # plain text, line breaks and tabs where the field takes several lines, emoji sequences
    # and the joiners some scripts spell with: all saved
    for text in ["Call my sister", *(["Call\nmy\tsister"] if multiline else []), *KEPT]:
        exc = _refusal(call, clinic, text)
        assert exc is None, f"{form} refused {text!r}: {exc}"


@hostile
@given(form=st.sampled_from(list(FORMS)), text=st.text(max_size=30), where=st.integers(0, 30),
       ch=st.sampled_from(sorted({*CONTROL.values(), *FORMATTING.values(),
                                  *ONE_LINE_ONLY.values()})))
def test_a_hidden_character_anywhere_in_any_field_is_refused(clinic, form, text, where, ch):
    field, multiline, call = FORMS[form]
    if multiline and ch in ONE_LINE_ONLY.values():
        ch = "\x00"
    poisoned = f"x{text[:where]}{ch}{text[where:]}x"
    exc = _refusal(call, clinic, poisoned)
    assert exc is not None and _message_for(exc, field), f"{form} saved {poisoned!r}"
