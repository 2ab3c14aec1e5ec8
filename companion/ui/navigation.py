"""Which pages each role gets: a page outside this list does not render for that role."""
from __future__ import annotations

import streamlit as st

from companion.actors import Actor
from companion.models import Role, User


def _page(path: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(path, title=title, icon=icon, default=default)


def pages_for(actor: Actor | None, user: User | None, first_run: bool) -> list[st.Page]:
    if first_run:
        return [_page("pages/public/first_run.py", "Set up the clinic", "🛠️", default=True)]
    if actor is None:
        return [_page("pages/public/login.py", "Sign in", "🔑", default=True)]
    if user is not None and user.must_change_password:
        return [_page("pages/common/change_password.py", "Choose your password", "🔑",
                      default=True)]
    account = _page("pages/common/account.py", "My account", "👤")
    if actor.role in (Role.CLIENT, Role.ALUMNI):
        return [_page("pages/client/home.py", "Home", "🏠", default=True),
                _page("pages/client/checkin.py", "Check-in", "✅"),
                _page("pages/client/cravings.py", "Cravings", "🌊"),
                _page("pages/client/trends.py", "My trends", "📈"),
                _page("pages/client/measures.py", "Questionnaires", "📝"),
                _page("pages/client/safety_plan.py", "My safety plan", "🛟"),
                _page("pages/client/lookback.py", "Look back", "🔍"),
                _page("pages/client/aftercare.py", "Aftercare plan", "🧭"), account]
    if actor.role == Role.THERAPIST:
        return [_page("pages/therapist/caseload.py", "My caseload", "📋", default=True),
                _page("pages/therapist/client.py", "Client record", "🗂️"),
                _page("pages/therapist/brief.py", "Pre-session brief", "📄"),
                _page("pages/therapist/reviews.py", "Aftercare reviews", "🧭"), account]
    return [_page("pages/admin/people.py", "People", "👥", default=True),
            _page("pages/admin/audit.py", "Audit trail", "🔎"), account]
