"""Hostile text in every field a person can write and in every display name, for tests that
look at what the app then shows (the AppTest of every page of every role in
tests/app/test_hostile_text.py; a browser test listening on 127.0.0.2 can reuse it).

`seed(session, password, totp_secret)` builds the demo clinic (`companion.demo`), then adds
one account per role whose display name is hostile, and fills, through the services as the
pages call them, every user-written field the demo leaves plain: check-in notes, details and
"bring to group", a typed trigger, craving details, a look-back, the safety plan (text and
contact names), the aftercare plan (every section, people to call with relationships), the
reviewer's comments and decision note, skills answers, a practice note and an assignment
note, a flag's acknowledgement, and a group's title, topic, cancel and move notes, an RSVP
reason and an absence (whose flag and "we missed you" note name the group). Returns the
usernames to sign in with.

Each payload part points at 127.0.0.2:9 (a second loopback address a test can listen on):
a markdown image, a markdown link, an HTML image, a bare URL (a GFM autolink literal) and a
`:material/…:` icon. `fit(limit)` is as much of it as a field takes, image first.
`rendered_parts(markdown)` names the parts a markdown source would still render.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta

from sqlmodel import Session, col, select

from companion import (aftercare, chains, checkins, cravings, demo, flags, groups, people,
                       safety, skill_modules, skills)
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.timeutil import clinic_today, clinic_zone, utcnow
from companion.models import Enrolment, Flag, Role, User
from companion.passwords import hash_password

HOST = "127.0.0.2:9"
PARTS = {
    "image": f"![s](http://{HOST}/s.png)",
    "link": f"[t](http://{HOST}/t)",
    "html": f"<img src=http://{HOST}/h.png>",
    "autolink": f"http://{HOST}/u",
    "icon": ":material/warning:",
}
PAYLOAD = " ".join(PARTS.values())

# What markdown syntax sees once backslash escapes are masked, and what the renderer's
# text-node plugins (autolinks, icons) see once escapes are resolved.
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_SYNTAX = {"image": re.compile(r"!\[s\]\(http://127\.0\.0\.2"),
           "link": re.compile(r"(?<!!)\[t\]\(http://127\.0\.0\.2"),
           "html": re.compile(r"<img src=http://127\.0\.0\.2", re.I)}
_TEXT = {"autolink": re.compile(r"https?://127\.0\.0\.2", re.I),
         "icon": re.compile(r":material[/_]warning:")}


def fit(limit: int, suffix: str = "") -> str:
    """The payload parts that fit in `limit` characters (with `suffix`), image first."""
    text = ""
    for part in PARTS.values():
        longer = f"{text} {part}".strip()
        if len(longer) + len(suffix) > limit:
            break
        text = longer
    return text + suffix


def rendered_parts(markdown: str) -> list[str]:
    """The payload parts that `markdown`, rendered by Streamlit, would turn into an image,
    a link, HTML or an icon (empty when it shows them as text)."""
    masked = _ESCAPED.sub("\x00", markdown)
    resolved = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)
    return ([name for name, pattern in _SYNTAX.items() if pattern.search(masked)]
            + [name for name, pattern in _TEXT.items() if pattern.search(resolved)])


@dataclass(frozen=True)
class Accounts:
    admin: str = "hostile-admin"
    therapist: str = "hostile-therapist"
    client: str = "hostile-client"
    alumni: str = "hostile-alum"


TRACK, SITE = "evening", "north"


def seed(session: Session, password: str, totp_secret: str) -> Accounts:
    """The demo clinic plus hostile accounts and text everywhere (see the module docstring)."""
    demo.seed(session, password=password, totp_secret=totp_secret)
    names = Accounts()
    admin = _actor(session, "demo-admin")
    staff = {role: _account(session, admin, username, role, password, totp_secret)
             for username, role in ((names.admin, Role.ADMIN),
                                    (names.therapist, Role.THERAPIST))}
    therapist = Actor.of(staff[Role.THERAPIST])
    client = _account(session, admin, names.client, Role.CLIENT, password, totp_secret,
                      therapist_id=therapist.id)
    alum = _account(session, admin, names.alumni, Role.CLIENT, password, totp_secret,
                    therapist_id=therapist.id)
    for user in (client, alum):
        _client_text(session, Actor.of(user), therapist)
    _group_text(session, Actor.of(staff[Role.ADMIN]), therapist, Actor.of(client))
    people.discharge(session, admin, alum.id)
    session.flush()
    return names


def _actor(session: Session, username: str) -> Actor:
    return Actor.of(session.exec(select(User).where(User.username == username)).one())


def _account(session: Session, admin: Actor, username: str, role: Role, password: str,
             totp_secret: str, therapist_id: int | None = None) -> User:
    """An account made by the admin service with a hostile name, then readied for a test to
    sign in (known password, staff second factor, privacy notice read, joined a month ago)."""
    client = role == Role.CLIENT
    made = people.create_user(session, admin, username, fit(110, f" {role.value}"), role,
                              therapist_id=therapist_id, track=TRACK if client else None,
                              location=SITE if client else None)
    user = made.user
    user.password_hash, user.must_change_password = hash_password(password), False
    if client:
        user.notice_acknowledged_at = utcnow()
        enrolment = session.get(Enrolment, user.id)
        enrolment.enrolled_at = utcnow() - timedelta(days=30)
        session.add(enrolment)
    else:
        user.totp_secret, user.totp_last_step = totp_secret, 0
    session.add(user)
    session.flush()
    return user


def _client_text(session: Session, me: Actor, therapist: Actor) -> None:
    clinic = get_clinic()
    saved = checkins.record_checkin(session, me, checkins.CheckInEntry(
        mood=3, craving=9, stress=6, used="yes", substances=[clinic.substances[0]],
        use_details=fit(checkins.DETAILS_MAX), new_trigger=fit(80),
        note=fit(checkins.NOTE_MAX), bring_to_group=fit(checkins.BRING_MAX)))
    cravings.log_craving(session, me, cravings.CravingEntry(
        intensity=8, new_trigger=fit(80, " 2"), where=fit(200), with_whom=fit(200),
        note=fit(1000), outcome="passed"))
    chains.record(session, me, {q: fit(chains.ANSWER_MAX) for q in chains.QUESTIONS},
                  saved.checkin.id)
    safety.save(session, me, {
        **{k: fit(safety.TEXT_MAX) for k in safety.TEXT_SECTIONS},
        "help_people": [{"name": fit(safety.NAME_MAX), "phone": "555-555-0142"},
                        {"name": fit(safety.NAME_MAX, " 2"), "phone": ""}],
        "professionals": [{"name": fit(safety.NAME_MAX, " 3"), "phone": "555-555-0100"}]})
    _aftercare_text(session, me, therapist)
    _skills_text(session, me, therapist)
    open_flags = session.exec(select(Flag).where(Flag.client_id == me.id,
                                                 col(Flag.acknowledged_at).is_(None))).all()
    flags.acknowledge(session, therapist, open_flags[0].id, fit(flags.ACK_NOTE_MAX))


def _aftercare_text(session: Session, me: Actor, therapist: Actor) -> None:
    def plan(version: str) -> dict:
        sections = {}
        for key, (_, kind, fields) in aftercare.SECTIONS.items():
            if kind == "text":
                sections[key] = fit(aftercare.TEXT_MAX, version)
            elif kind == "fields":
                sections[key] = {f: fit(aftercare.FIELD_MAX, version) for f in fields}
                if key == "next_care":
                    sections[key]["level"] = aftercare.CARE_LEVELS[0]
            else:
                row = {f: fit(aftercare.FIELD_MAX, version) for f in fields}
                row |= {"phone": "555-555-0142"} if "phone" in row else {}
                row |= ({"target_date": "2027-03-31", "progress": "40"}
                        if key == "goals" else {})
                sections[key] = [row, {**row, "phone": ""} if "phone" in row else row]
        return sections

    aftercare.save(session, me, plan(" v1"))
    aftercare.submit(session, me)
    for section in aftercare.SECTIONS:
        aftercare.comment(session, therapist, me.id, section, fit(1000))
    aftercare.decide(session, therapist, me.id, approve=False, note=fit(1000))
    aftercare.save(session, me, plan(" v2"))  # history and a diff between the two
    aftercare.submit(session, me)
    aftercare.comment(session, therapist, me.id, "people", fit(1000, " v2"))


def _skills_text(session: Session, me: Actor, therapist: Actor) -> None:
    module = skill_modules.modules()[0]
    exercise = next(e for e in module.exercises
                    if any(f.type in skill_modules.TEXT_LIMITS for f in e.fields))

    def answers(version: str) -> dict:
        typed = {}
        for spec in exercise.fields:
            if spec.type in skill_modules.TEXT_LIMITS:
                typed[spec.id] = fit(spec.limit, version)
            elif spec.type == "choice":
                typed[spec.id] = spec.options[0]
            elif spec.type == "choices":
                typed[spec.id] = spec.options[:1]
            elif spec.type == "scale":
                typed[spec.id] = spec.min
            else:
                typed[spec.id] = "08:00"
        return typed

    skills.save_answers(session, me, module.id, exercise.id, answers(" v1"))
    skills.save_answers(session, me, module.id, exercise.id, answers(" v2"))
    skill, _ = skills.all_skills()[0]
    skills.log_practice(session, me, skill, 6, fit(skills.NOTE_MAX))
    skills.assign_module(session, therapist, me.id, module.id, fit(skills.NOTE_MAX))


def _group_text(session: Session, admin: Actor, therapist: Actor, client: Actor) -> None:
    """A daily group led by the hostile therapist on the hostile client's track and site,
    begun two weeks ago: a cancelled and a moved session with notes, an RSVP reason, and an
    absence yesterday."""
    series = groups.schedule_series(session, admin, groups.SeriesInput(
        title=fit(groups.TITLE_MAX), topic=fit(groups.TOPIC_MAX), track=TRACK, location=SITE,
        facilitator_id=therapist.id, capacity=12, first_day=clinic_today() - timedelta(days=14),
        start=time(6, 0), end=time(6, 30), weekdays=list(range(7))))
    now = utcnow()
    ahead = groups.occurrences(session, now + timedelta(hours=1), now + timedelta(days=6),
                               series_ids=[series.id])
    groups.rsvp(session, client, series.id, ahead[0].occurrence_at, False,
                fit(groups.REASON_MAX))
    groups.cancel_occurrence(session, admin, series.id, ahead[1].occurrence_at,
                             fit(groups.NOTE_MAX))
    moved = ahead[2]  # an hour later, the same day
    groups.move_occurrence(session, admin, series.id, moved.occurrence_at,
                           moved.starts_at.astimezone(clinic_zone()).date(), time(7, 0),
                           time(7, 30), fit(groups.NOTE_MAX, " moved"))
    past = groups.occurrences(session, now - timedelta(days=2), now - timedelta(hours=1),
                              series_ids=[series.id])
    groups.mark_attendance(session, therapist, past[-1], {client.id: groups.ABSENT})
