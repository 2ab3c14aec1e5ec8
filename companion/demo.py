"""An obviously fictional demo clinic: 1 admin, 2 therapists, 8 clients, 2 alumni."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from companion import passwords
from companion.errors import AccessDenied
from companion.models import Enrolment, Role, User
from companion.timeutil import utcnow

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


def _upsert(session: Session, username: str, name: str, role: Role, hashed: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, display_name=name, role=role, password_hash=hashed)
    user.display_name, user.role, user.password_hash = name, role, hashed
    user.must_change_password, user.is_active = False, True
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


def seed(session: Session, password: str | None = None) -> str:
    """Create or refresh the demo accounts; returns the shared password. Refuses a real clinic."""
    others = session.exec(select(User.username).where(~User.username.startswith(PREFIX))).first()
    if others is not None:
        raise AccessDenied("This database holds real (non-demo) accounts; the demo will not "
                           "touch it. Use an empty database for the demo.")
    password = (passwords.check_new_password(password, ("demo",)) if password
                else passwords.temporary_password())
    hashed = passwords.hash_password(password)
    _upsert(session, "demo-admin", "Demo Admin", Role.ADMIN, hashed)
    therapists = [_upsert(session, u, n, Role.THERAPIST, hashed) for u, n in THERAPISTS]
    for username, name, track, location, t, days in CLIENTS:
        client = _upsert(session, username, name, Role.CLIENT, hashed)
        _enrol(session, client, therapists[t], track, location, days)
    for username, name, track, location, t, days, discharged in ALUMNI:
        alum = _upsert(session, username, name, Role.ALUMNI, hashed)
        _enrol(session, alum, therapists[t], track, location, days, discharged)
    return password
