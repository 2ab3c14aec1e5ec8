"""The confidentiality notice every client reads and acknowledges at first sign-in
(42 CFR 2.22), in plain language, and its acknowledgement."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from companion.access import require_current
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.models import User
from companion.core.timeutil import utcnow


def text() -> str:
    clinic = get_clinic().name
    return f"""
**How your records are protected**

Your records in this app are part of your treatment at {clinic}. Federal law and regulations
protect the confidentiality of substance use disorder patient records: the confidentiality
rules at 42 CFR Part 2, and HIPAA.

**Who outside the program can learn about you.** Generally, the program may not tell anyone
outside the program that you take part in it, or share information that identifies you as
having a substance use disorder — unless you agree in writing, or the law allows it. The law
allows it in a few cases, such as a medical emergency, a court order that meets the special
rules of Part 2, certain audits and research, reporting suspected child abuse or neglect to the
authorities, or a crime on the program's premises or against its staff.

**Who inside the program sees what.** Your therapist sees what you record here (check-ins,
cravings, questionnaires, plans and exercises) so they can help you. Admins see your account
details (name, track, location), not your entries. Other clients never see anything of yours.
Every time a staff member opens your records it is written down, and you can see who and when
on your account page.

**Nothing leaves the clinic.** What you enter stays on the clinic's own computers. The app
uses no advertising, tracking or outside services, and your notes are stored encrypted.

**Your rights.** You can download all your data at any time from your account page. If you
believe your privacy rights have been violated, you can tell the program and file a complaint
with the U.S. Department of Health and Human Services. You will not be treated differently for
doing so.
"""


def acknowledge(session: Session, actor: Actor) -> datetime:
    require_current(session, actor)
    user = session.get(User, actor.id)
    if user.notice_acknowledged_at is None:
        user.notice_acknowledged_at = utcnow()
        session.add(user)
    return user.notice_acknowledged_at


def needed(user: User) -> bool:
    return user.role in ("client", "alumni") and user.notice_acknowledged_at is None
