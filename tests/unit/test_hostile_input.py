"""Hostile input through the services behind the forms (Hypothesis).

Every example goes through the service as a page calls it, in its own `session_scope()`:
it is either stored exactly (read back equal, from a fresh session) or refused with a
`CompanionError` whose message is plain words, and a refusal leaves every table's row count
as it was, even inside the refusing transaction (no half-written rows). Any other exception
fails the test.
"""
from __future__ import annotations

import copy
import math
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel, select

from companion import aftercare, chains, checkins, cravings, passwords, people, safety
from companion.core import db
from companion.actors import Actor
from companion.checkins import CheckInEntry
from companion.clinic import get_clinic
from companion.cravings import CravingEntry
from companion.core.errors import CompanionError
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
