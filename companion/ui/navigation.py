"""Which pages each role gets: a page outside this list does not render for that role."""
from __future__ import annotations

import streamlit as st

from companion import mfa, notice
from companion.actors import Actor
from companion.models import Role, User


def _page(path: str, title: str, icon: str, default: bool = False) -> st.Page:
    return st.Page(path, title=title, icon=icon, default=default)


def fully_signed_in(user: User | None, second_factor_done: bool) -> bool:
    """Past every first-sign-in step: password change, second factor, privacy notice."""
    return (user is not None and not user.must_change_password
            and (not mfa.required(user) or second_factor_done) and not notice.needed(user))


def pages_for(actor: Actor | None, user: User | None, first_run: bool,
              second_factor_done: bool = False) -> list[st.Page]:
    if first_run:
        return [_page("pages/public/first_run.py", "Set up the clinic", "🛠️", default=True)]
    if actor is None:
        return [_page("pages/public/login.py", "Sign in", "🔑", default=True)]
    if user is not None and user.must_change_password:
        return [_page("pages/common/change_password.py", "Choose your password", "🔑",
                      default=True)]
    if user is not None and mfa.required(user) and not second_factor_done:
        return [_page("pages/common/second_factor.py", "Two-step sign-in", "🔐", default=True)]
    if user is not None and notice.needed(user):
        return [_page("pages/common/notice.py", "Your privacy", "🔒", default=True)]
    account = _page("pages/common/account.py", "My account", "👤")
    if actor.role in (Role.CLIENT, Role.ALUMNI):
        return [_page("pages/client/home.py", "Home", "🏠", default=True),
                _page("pages/client/checkin.py", "Check-in", "✅"),
                *([_page("pages/client/groups.py", "Groups", "👥")]
                  if actor.role == Role.CLIENT else []),
                _page("pages/client/cravings.py", "Cravings", "🌊"),
                _page("pages/client/skills.py", "Skills", "🧩"),
                _page("pages/client/trends.py", "My trends", "📈"),
                _page("pages/client/measures.py", "Questionnaires", "📝"),
                _page("pages/client/safety_plan.py", "My safety plan", "🛟"),
                _page("pages/client/lookback.py", "Look back", "🔍"),
                _page("pages/client/aftercare.py", "Aftercare plan", "🧭"), account]
    if actor.role == Role.THERAPIST:
        return [_page("pages/therapist/caseload.py", "My caseload", "📋", default=True),
                _page("pages/therapist/client.py", "Client record", "🗂️"),
                _page("pages/therapist/brief.py", "Pre-session brief", "📄"),
                _page("pages/therapist/outcomes.py", "Caseload outcomes", "📊"),
                _page("pages/therapist/groups.py", "Groups", "👥"),
                _page("pages/therapist/skills.py", "Skills practice", "🧩"),
                _page("pages/therapist/reviews.py", "Aftercare reviews", "🧭"), account]
    return [_page("pages/admin/people.py", "People", "👥", default=True),
            _page("pages/admin/groups.py", "Group schedule", "🗓️"),
            _page("pages/admin/audit.py", "Audit trail", "🔎"), account]
