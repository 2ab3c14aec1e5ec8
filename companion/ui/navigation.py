"""Which pages each role gets: a page outside this list does not render for that role."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from companion import mfa, notice
from companion.actors import Actor
from companion.i18n import _
from companion.models import Role, User


def _page(path: str, title: str, icon: str, default: bool = False) -> st.Page:
    page = st.Page(path, title=title, icon=icon, default=default)
    page.script = path  # the file, as st.switch_page and the stand-ins below name it
    return page


def _url_path(script: str) -> str:
    """The URL path Streamlit infers from a page file: pages/client/checkin.py -> checkin."""
    return Path(script).stem


def every_url_path() -> set[str]:
    """Every page address of every role (a bookmark may hold any of them)."""
    return {_url_path(path) for path in PAGE_FILES}


def _with_stand_ins(step: st.Page, script: str) -> list[st.Page]:
    """A single step (sign in, first password, second factor, privacy notice) answers at
    every page address too, hidden from the menu: a bookmark to /checkin shows that step
    instead of Streamlit's "page not found" box, and the address stays in the browser, so
    once the step is done the page asked for opens (a page's identity is its URL path)."""
    own = _url_path(script)
    return [step, *(st.Page(script, title=step.title, icon=step.icon, url_path=path,
                            visibility="hidden")
                    for path in sorted(every_url_path()) if path != own)]


def _home_instead(home: str) -> Callable[[], None]:
    def run() -> None:
        st.switch_page(home)
    return run


def _elsewhere(pages: list[st.Page], home: str) -> list[st.Page]:
    """Addresses of other roles' pages open this role's home (not a "not found" box)."""
    own = {_url_path(page.script) for page in pages}
    return [*pages, *(st.Page(_home_instead(home), title=_("Home"), url_path=path,
                              visibility="hidden")
                      for path in sorted(every_url_path() - own))]


def fully_signed_in(user: User | None, second_factor_done: bool,
                    passkey_first: bool = False) -> bool:
    """Past every first-sign-in step: password change, second factor, a passkey where the
    clinic's rule asks staff for one, privacy notice."""
    return (user is not None and not user.must_change_password
            and (not mfa.required(user) or second_factor_done) and not passkey_first
            and not notice.needed(user))


def _role_pages(actor: Actor | None, user: User | None, first_run: bool,
                second_factor_done: bool = False, passkey_first: bool = False
                ) -> list[st.Page]:
    if first_run:
        return [_page("pages/public/first_run.py", _("Set up the clinic"), "🛠️", default=True)]
    if actor is None:
        return [_page("pages/public/login.py", _("Sign in"), "🔑", default=True)]
    if user is not None and user.must_change_password:
        return [_page("pages/common/change_password.py", _("Choose your password"), "🔑",
                      default=True)]
    if user is not None and mfa.required(user) and not second_factor_done:
        return [_page("pages/common/second_factor.py", _("Two-step sign-in"), "🔐",
                      default=True)]
    if user is not None and passkey_first:  # staff, under the clinic's rule, none yet
        return [_page("pages/common/add_passkey.py", _("Add a passkey"), "🔑", default=True)]
    if user is not None and notice.needed(user):
        return [_page("pages/common/notice.py", _("Your privacy"), "🔒", default=True)]
    account = _page("pages/common/account.py", _("My account"), "👤")
    if actor.role in (Role.CLIENT, Role.ALUMNI):
        return [_page("pages/client/home.py", _("Home"), "🏠", default=True),
                _page("pages/client/checkin.py", _("Check-in"), "✅"),
                _page("pages/client/groups.py", _("Groups") if actor.role == Role.CLIENT
                      else _("My calendar"), "👥" if actor.role == Role.CLIENT else "📅"),
                _page("pages/client/cravings.py", _("Cravings"), "🌊"),
                _page("pages/client/skills.py", _("Skills"), "🧩"),
                _page("pages/client/trends.py", _("My trends"), "📈"),
                _page("pages/client/measures.py", _("Questionnaires"), "📝"),
                _page("pages/client/safety_plan.py", _("My safety plan"), "🛟"),
                _page("pages/client/lookback.py", _("Look back"), "🔍"),
                _page("pages/client/aftercare.py", _("Aftercare plan"), "🧭"), account]
    if actor.role == Role.THERAPIST:
        return [_page("pages/therapist/caseload.py", _("My caseload"), "📋", default=True),
                _page("pages/therapist/client.py", _("Client record"), "🗂️"),
                _page("pages/therapist/brief.py", _("Pre-session brief"), "📄"),
                _page("pages/therapist/outcomes.py", _("Caseload outcomes"), "📊"),
                _page("pages/therapist/groups.py", _("Groups"), "👥"),
                _page("pages/therapist/skills.py", _("Skills practice"), "🧩"),
                _page("pages/therapist/reviews.py", _("Aftercare reviews"), "🧭"), account]
    return [_page("pages/admin/people.py", _("People"), "👥", default=True),
            _page("pages/admin/groups.py", _("Group schedule"), "🗓️"),
            _page("pages/admin/outcomes.py", _("Program outcomes"), "📊"),
            _page("pages/admin/audit.py", _("Audit trail"), "🔎"), account]


PAGE_FILES = (
    "pages/client/home.py", "pages/client/checkin.py", "pages/client/groups.py",
    "pages/client/cravings.py", "pages/client/skills.py", "pages/client/trends.py",
    "pages/client/measures.py", "pages/client/safety_plan.py", "pages/client/lookback.py",
    "pages/client/aftercare.py", "pages/common/account.py",
    "pages/therapist/caseload.py", "pages/therapist/client.py", "pages/therapist/brief.py",
    "pages/therapist/groups.py", "pages/therapist/skills.py", "pages/therapist/reviews.py",
    "pages/admin/people.py", "pages/admin/groups.py", "pages/admin/outcomes.py",
    "pages/admin/audit.py")


def pages_for(actor: Actor | None, user: User | None, first_run: bool,
              second_factor_done: bool = False, passkey_first: bool = False
              ) -> list[st.Page]:
    """The role's pages; a single step before them also answers at every page address."""
    pages = _role_pages(actor, user, first_run, second_factor_done, passkey_first)
    if len(pages) == 1:
        return _with_stand_ins(pages[0], pages[0].script)
    home = next(page for page in pages if page._default)
    return _elsewhere(pages, home.script)
