"""An obviously fictional demo clinic: 1 admin, 2 therapists, 8 clients, 2 alumni."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, delete, select

from companion import flags, groups, instruments, passwords, skills
from companion.clinic import get_clinic
from companion.core.errors import AccessDenied
from companion.models import (ChainAnalysis, CheckIn, Craving, EntryTag, Enrolment, Flag,
                              MeasureResponse, Role, SafetyPlan, User)
from companion.core.timeutil import clinic_today, clinic_zone, utcnow

PREFIX = "demo-"
THERAPISTS = [("demo-therapist1", "Dr. Quinn Example"), ("demo-therapist2", "Sam Placeholder, LPC")]
CLIENTS = [  # username, name, track, location, therapist index, days in program
    ("demo-client1", "Avery Demo", "morning", "north", 0, 40),
    ("demo-client2", "Blake Demo", "morning", "river", 0, 35),
    ("demo-client3", "Casey Demo", "evening", "north", 0, 28),
    ("demo-client4", "Devon Demo", "evening", "telehealth", 0, 21),
    ("demo-client5", "Emery Demo", "morning", "telehealth", 1, 50),
    ("demo-client6", "Finley Demo", "evening", "river", 1, 14),
    ("demo-client7", "Gray Demo", "morning", "north", 1, 9),
    ("demo-client8", "Harper Demo", "evening", "river", 1, 60),
]
ALUMNI = [("demo-alum1", "Indigo Demo", "morning", "north", 0, 60, 12),
          ("demo-alum2", "Jordan Demo", "evening", "river", 1, 60, 5)]


def _upsert(session: Session, username: str, name: str, role: Role, hashed: str,
            totp_secret: str | None = None) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, display_name=name, role=role, password_hash=hashed)
    user.display_name, user.role, user.password_hash = name, role, hashed
    user.must_change_password, user.is_active = False, True
    if role in (Role.THERAPIST, Role.ADMIN):  # staff sign in with a second factor
        user.totp_secret, user.totp_last_step = totp_secret, 0
    else:
        user.notice_acknowledged_at = user.notice_acknowledged_at or utcnow()
    session.add(user)
    session.flush()
    return user


def _enrol(session: Session, client: User, therapist: User, track: str, location: str,
           days_ago: int, discharged_days_ago: int | None = None) -> None:
    enrolment = session.get(Enrolment, client.id) or Enrolment(client_id=client.id, track=track,
                                                                 location=location)
    now = utcnow()
    enrolment.therapist_id, enrolment.track, enrolment.location = therapist.id, track, location
    enrolment.enrolled_at = now - timedelta(days=days_ago)
    enrolment.discharged_at = (now - timedelta(days=discharged_days_ago)
                               if discharged_days_ago is not None else None)
    session.add(enrolment)


def seed(session: Session, password: str | None = None, totp_secret: str | None = None) -> str:
    """Create or refresh the demo accounts; returns the shared password. Refuses a real clinic."""
    others = session.exec(select(User.username).where(~User.username.startswith(PREFIX))).first()
    if others is not None:
        raise AccessDenied("This database holds real (non-demo) accounts; the demo will not "
                           "touch it. Use an empty database for the demo.")
    password = (passwords.check_new_password(password, ("demo",)) if password
                else passwords.temporary_password())
    hashed = passwords.hash_password(password)
    admin = _upsert(session, "demo-admin", "Demo Admin", Role.ADMIN, hashed, totp_secret)
    therapists = [_upsert(session, u, n, Role.THERAPIST, hashed, totp_secret)
                  for u, n in THERAPISTS]
    for username, name, track, location, t, days in CLIENTS:
        client = _upsert(session, username, name, Role.CLIENT, hashed)
        _enrol(session, client, therapists[t], track, location, days)
    clients = []
    for username, name, track, location, t, days in CLIENTS:
        clients.append((session.exec(select(User).where(User.username == username)).one(), days))
    for username, name, track, location, t, days, discharged in ALUMNI:
        alum = _upsert(session, username, name, Role.ALUMNI, hashed)
        _enrol(session, alum, therapists[t], track, location, days, discharged)
        clients.append((alum, days))
    _history(session, clients)
    groups.seed_demo(session, clients, therapists, random.Random(2027), admin)
    _aftercare_plans(session, clients)
    return password


def _aftercare_plans(session: Session, clients: list[tuple[User, int]]) -> None:
    """Plans in every review state, made through the services as people would."""
    from companion import aftercare
    from companion.actors import Actor
    from companion.models import AftercareComment, AftercareEvent, AftercarePlan, AftercareVersion

    ids = [c.id for c, _ in clients]
    for model in (AftercareComment, AftercareEvent, AftercareVersion, AftercarePlan):
        session.exec(delete(model).where(col(model.client_id).in_(ids)))
    by_name = {c.username: c for c, _ in clients}

    def sections(name: str) -> dict:
        plan = aftercare.empty_sections()
        plan["next_care"] = {"level": "Weekly outpatient", "provider": "Harbor Light (demo)",
                             "when": "Tuesdays 6 pm"}
        plan["supports"] = [{"what": "Peer support meeting (demo)", "when": "Mon & Thu 7 pm",
                             "where": "Community center, room 2"}]
        plan["people"] = [{"name": f"{name}'s sister (demo)", "relationship": "sister",
                           "phone": "555-555-0142"}]
        plan["warning_signs"] = "Skipping meals\nStaying in bed\nThinking 'just one'"
        plan["high_risk"] = [{"situation": "Payday", "plan": "Pay bills first, then call Sis"}]
        plan["coping"] = "Urge surfing, a walk, calling someone"
        plan["routine"] = "Up at 7, walk, work, dinner with family, phone off at 10"
        plan["goals"] = [{"goal": "Walk 5k", "target_date": "2027-03-31", "progress": "40"}]
        plan["slip_plan"] = {"who_i_tell": "My sister and my counselor",
                             "first_24_hours": "Go to a meeting, call my counselor, no shame"}
        return plan

    states = {"demo-client1": "approved", "demo-client2": "submitted",
              "demo-client3": "changes_requested", "demo-client4": "draft",
              "demo-alum1": "approved", "demo-alum2": "updated"}
    for username, state in states.items():
        client = by_name[username]
        me = Actor.of(client)
        first = client.display_name.split()[0]
        aftercare.save(session, me, sections(first))
        if state == "draft":
            continue
        aftercare.submit(session, me)
        reviewer = Actor.of(session.get(User, aftercare.reviewer_for(session, client.id)))
        if state == "submitted":
            continue
        if state == "changes_requested":
            aftercare.comment(session, reviewer, client.id, "people",
                              "Could you add your sponsor's number here too?")
            aftercare.decide(session, reviewer, client.id, approve=False)
            continue
        aftercare.decide(session, reviewer, client.id, approve=True, note="A strong plan.")
        if state == "updated":
            updated = sections(first)
            updated["routine"] = "Up at 7, walk, work, call a friend after dinner"
            aftercare.save(session, me, updated)


def _history(session: Session, clients: list[tuple[User, int]]) -> None:
    """60 days of believable, fictional check-ins and cravings (fixed seed: repeatable)."""
    ids = [c.id for c, _ in clients]
    for model in (EntryTag, Flag, ChainAnalysis, Craving, CheckIn, MeasureResponse, SafetyPlan):
        session.exec(delete(model).where(col(model.client_id).in_(ids)))
    rng = random.Random(2026)
    clinic = get_clinic()
    for index, (client, days) in enumerate(clients):
        _client_history(session, rng, clinic, client, min(days, 60), slips=index in (2, 5))
        _measures(session, rng, client, min(days, 60), improving=index % 3 != 1,
                  slips=index in (2, 5))
        if index % 4 != 3:
            _safety_plan(session, client, index)
    skills.seed_demo(session, clients, rng)
    session.flush()


def _measures(session, rng, client, days: int, improving: bool, slips: bool) -> None:
    """PHQ-9 and GAD-7 every two weeks, BAM at intake then weekly: change over time."""
    today = clinic_today()
    plan = [("phq9", "", 14, 9), ("gad7", "", 14, 7), ("bam", "30", 10_000, 0), ("bam", "7", 7, 0)]
    for instrument_id, form, every, items in plan:
        instrument = instruments.get(instrument_id)
        protective = {i for sc in instrument.scales if sc.higher_is_better for i in sc.items}
        use = {i for sc in instrument.scales if sc.id == "use" for i in sc.items}
        start = today - timedelta(days=days) + timedelta(days=0 if form != "7" else 7)
        day = start
        while day <= today - timedelta(days=1):
            progress = (day - start).days / max(days, 1)
            level = 1.9 - (1.2 * progress if improving else -0.2 * progress)
            answers = {}
            for item in instrument.items(form):
                top = item.options[-1].score
                value = round(min(top, max(0, rng.gauss(level * top / 3, 0.7))))
                if item.risk:
                    value = 0
                if item.id in protective:
                    value = top - value
                if item.id in use or item.id.startswith("7"):
                    value = 1 if slips and rng.random() < 0.3 else 0
                answers[item.id] = value if any(o.score == value for o in item.options) else 0
            scored = instruments.score(instrument, answers, form)
            session.add(MeasureResponse(client_id=client.id, instrument=instrument_id,
                                        form=form, answers=answers, scores=scored.values,
                                        completed_at=_local(day, 10, 0), local_day=day))
            day += timedelta(days=every)


def _safety_plan(session, client, index: int) -> None:
    people = [{"name": "My sister (demo)", "phone": "555-555-0142"},
              {"name": "Sponsor (demo)", "phone": "555-555-0167"}][: 1 + index % 2]
    session.add(SafetyPlan(client_id=client.id, version=1, sections={
        "warning_signs": "Skipping meals, staying in bed, not answering texts, thinking "
                         "'one won't hurt'.",
        "coping": "Slow breathing for five minutes; a walk around the block; a hot shower.",
        "distractions": "The library; the coffee shop on 3rd; calling my cousin about sports.",
        "help_people": people,
        "professionals": [{"name": "My counselor (demo)", "phone": "555-555-0100"}],
        "environment": "Naloxone in the kitchen drawer and in my bag. Don't use alone. My "
                       "sister holds my spare medication.",
        "reasons": "My kids, my dog, and the trip we're planning next summer.",
    }))


def _local(day, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), clinic_zone()).astimezone(
        utcnow().tzinfo)


def _client_history(session, rng, clinic, client, days, slips: bool) -> None:
    today = clinic_today()
    mood, craving = rng.uniform(4, 6), rng.uniform(3, 6)
    favourite = rng.sample(clinic.coping, 4)
    usual = rng.sample(clinic.triggers, 5)
    effect = {name: rng.uniform(0.5, 4) for name in favourite}  # what works, for this person
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        progress = 1 - offset / max(days, 1)  # most people feel better as the weeks go by
        mood = min(9.5, max(1.5, mood + 0.3 * (5 + 2 * progress - mood) + rng.gauss(0, 1)))
        craving = min(9.5, max(0.0, craving + 0.3 * (5 - 3 * progress - craving)
                               + rng.gauss(0, 1)))
        used = "yes" if slips and rng.random() < 0.05 else "no"
        missed = rng.random() < (0.3 if offset == 0 else 0.15)  # as in real life
        checkin = None if missed else CheckIn(client_id=client.id, day=day, mood=round(mood), craving=round(craving),
                          stress=max(0, min(10, round(10 - mood + rng.uniform(-2, 2)))),
                          sleep_hours=rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5]),
                          sleep_quality=rng.randint(2, 5), used=used,
                          created_at=min(utcnow(), _local(day, rng.randint(7, 21),
                                                          rng.randint(0, 59))),
                          bring_to_group=("Talking to family about my recovery"
                                          if offset == 0 and rng.random() < 0.5 else ""))
        if checkin is not None:
            session.add(checkin)
            session.flush()
            for tag_type, labels in (("trigger", rng.sample(usual, rng.randint(0, 2))),
                                     ("skill", rng.sample(favourite, rng.randint(0, 2)))):
                for label in labels:
                    session.add(EntryTag(client_id=client.id, entry_kind="checkin",
                                         entry_id=checkin.id, tag_type=tag_type, label=label,
                                         day=day))
            if offset <= 10:
                flags.for_checkin(session, checkin, [checkin.id])
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            hour = rng.choice([8, 12, 16, 17, 18, 19, 20, 21, 22])
            at = _local(day, hour, rng.randint(0, 59))
            if at > utcnow():
                continue
            coping = rng.sample(favourite, rng.randint(0, 2))
            intensity = max(1, min(10, round(craving + rng.uniform(-2, 3))))
            outcome = rng.choices(["passed", "still_there", "used"],
                                  [0.8, 0.15, 0.05 if slips else 0.0])[0]
            local = at.astimezone(clinic_zone())
            item = Craving(client_id=client.id, at=at, local_day=local.date(),
                           local_hour=local.hour, local_weekday=local.weekday(),
                           intensity=intensity, outcome=outcome,
                           duration_minutes=rng.choice([5, 10, 15, 20, 30, 45]))
            if coping and rng.random() < 0.7:
                best = max(effect[name] for name in coping) + rng.uniform(-0.5, 0.5)
                item.followup_intensity = max(0, round(intensity - best))
                item.followup_at = at + timedelta(minutes=20)
            session.add(item)
            session.flush()
            for tag_type, labels in (("trigger", rng.sample(usual, rng.randint(0, 2))),
                                     ("coping", coping)):
                for label in labels:
                    session.add(EntryTag(client_id=client.id, entry_kind="craving",
                                         entry_id=item.id, tag_type=tag_type, label=label,
                                         day=local.date()))
            if offset <= 10:
                flags.for_craving(session, item)
