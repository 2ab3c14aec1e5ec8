"""Hostile text never renders as markup, on any page of any role (finding 1 of issue #14).

Every user-writable field and every display name holds a markdown image, a markdown link, an
HTML image, a bare URL and a material icon pointing at 127.0.0.2 (tests/support/hostile.py,
through the services, on top of the demo clinic). Each role's every page is rendered, with
the selections that bring the hostile client's records, the hostile group and its sessions
into view, and every string Streamlit draws as markdown (bodies, captions, alerts, titles,
toasts, labels of every widget, link button, page link, expander, tab and popover, metric
values, progress text, help tooltips, radio / pills / segmented / select-slider options) is
checked with `hostile.rendered_parts`. Selectbox and multiselect options, text inputs'
values and dataframes are drawn as plain text and are left aside.
"""
from __future__ import annotations

import shutil

import pytest
from google.protobuf.descriptor import FieldDescriptor
from sqlmodel import select

from companion import skill_modules
from companion.core import db
from companion.core.config import get_settings
from companion.models import GroupSeries, User
from tests.app.conftest import new_app, registered_pages, sign_in
from tests.conftest import ON_POSTGRES, PASSWORD, STAFF_TOTP
from tests.support import hostile

ACCOUNTS = hostile.Accounts()
MARKDOWN_FIELDS = {"label", "help", "body", "delta", "text", "caption", "captions", "title",
                   "content"}
PLAIN_ELEMENTS = {"Text", "Json", "Code", "Exception"}  # st.text/json/code draw as they are
PLAIN_OPTIONS = {"Selectbox", "MultiSelect"}  # options drawn as plain text
SKIPPED = {"Arrow", "DataFrame"}  # dataframe cells: drawn on a canvas (table_text cleans them)


def markdown_strings(at) -> list[tuple[str, str]]:
    """(where, source) for every string the page draws as markdown."""
    found = []

    def visit(message, where: str) -> None:
        kind = message.DESCRIPTOR.name
        if kind in PLAIN_ELEMENTS | SKIPPED:
            return
        for field, value in message.ListFields():
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                for item in (value if field.is_repeated
                             else [value]):
                    visit(item, f"{where}.{field.name}")
            elif field.type == FieldDescriptor.TYPE_STRING and (
                    field.name in MARKDOWN_FIELDS
                    or (field.name == "options" and kind not in PLAIN_OPTIONS)):
                for text in (value if field.is_repeated
                             else [value]):
                    found.append((f"{kind}.{field.name}", text))

    todo = [at._tree]
    while todo:
        node = todo.pop()
        children = getattr(node, "children", None)
        if children is not None:
            todo.extend(children.values())
        proto = getattr(node, "proto", None)
        if proto is not None:
            visit(proto, node.__class__.__name__)
    return found


@pytest.fixture(scope="module")
def seeded_file(template_db, tmp_path_factory):
    """A SQLite file seeded once for this module (PostgreSQL: each test seeds its own)."""
    if ON_POSTGRES:
        return None
    path = tmp_path_factory.mktemp("hostile") / "seeded.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        with db.session_scope() as session:
            hostile.seed(session, PASSWORD, STAFF_TOTP)
        db.engine_for(url).dispose()  # closes the file: the seeded rows are all in it
    get_settings.cache_clear()
    return path


@pytest.fixture
def seeded(db_url, seeded_file):
    if seeded_file is None:
        with db.session_scope() as session:
            hostile.seed(session, PASSWORD, STAFF_TOTP)
    else:
        shutil.copy(seeded_file, db_url.removeprefix("sqlite:///"))
    with db.session_scope() as session:
        ids = {u.username: u.id for u in session.exec(select(User).where(
            User.username.startswith("hostile-")))}
        series = session.exec(select(GroupSeries).where(
            GroupSeries.facilitator_id == ids[ACCOUNTS.therapist])).one()
        return ids, series.id


class Pages:
    """Renders views of one signed-in role and keeps what each one draws as markdown."""

    def __init__(self, at):
        self.at = at
        self.unsafe: list[str] = []
        self.showing: set[str] = set()  # views where the hostile text is on screen

    def check(self, view: str):
        at = self.at
        assert not at.exception, f"{view}: {[e.value for e in at.exception]}"
        for where, source in markdown_strings(at):
            if parts := hostile.rendered_parts(source):
                self.unsafe.append(f"{view} · {where}: renders {parts} in {source[:90]!r}")
            if "127.0.0.2" in source.replace("\\", ""):
                self.showing.add(view)
        return at

    def page(self, path: str):
        self.at.switch_page(path).run()
        return self.check(path)

    def then(self, view: str, change) -> None:
        change(self.at)
        self.at.run()
        self.check(view)


def _signed_in(username: str) -> Pages:
    at = new_app()
    sign_in(at, username)
    assert at.session_state["authentication_status"], username
    return Pages(at)


def _every_page(pages: Pages) -> set[str]:
    paths = sorted(registered_pages(pages.at))
    for path in paths:
        pages.page(f"pages/{path}")
    return {f"pages/{p}" for p in paths}


def _assert_safe(pages: Pages, must_show: set[str]) -> None:
    assert pages.unsafe == [], "\n".join(pages.unsafe)
    assert must_show <= pages.showing, f"hostile text not on screen: {must_show - pages.showing}"


def _client_views(pages: Pages) -> None:
    module = skill_modules.modules()[0]
    exercise = next(e for e in module.exercises
                    if any(f.type in skill_modules.TEXT_LIMITS for f in e.fields))
    pages.page("pages/client/skills.py")
    pages.then("skills: module", lambda at: at.button(key=f"open-{module.id}").click())
    pages.then("skills: exercise",
               lambda at: at.button(key=f"exercise-{exercise.id}").click())
    pages.then("skills: earlier versions", lambda at: at.toggle(
        key=f"history-{module.id}-{exercise.id}").set_value(True))


CLIENT_PAGES = {"pages/client/home.py", "pages/client/checkin.py", "pages/client/cravings.py",
                "pages/client/skills.py", "pages/client/safety_plan.py",
                "pages/client/aftercare.py", "pages/common/account.py"}


def test_client_pages_show_hostile_text_as_text(seeded):
    pages = _signed_in(ACCOUNTS.client)
    shown = _every_page(pages)
    assert "pages/client/groups.py" in shown
    _client_views(pages)
    _assert_safe(pages, CLIENT_PAGES | {"pages/client/groups.py", "skills: earlier versions"})


def test_alumni_pages_show_hostile_text_as_text(seeded):
    pages = _signed_in(ACCOUNTS.alumni)
    _every_page(pages)
    _client_views(pages)
    _assert_safe(pages, CLIENT_PAGES | {"skills: earlier versions"})


def test_therapist_pages_show_hostile_text_as_text(seeded):
    ids, series_id = seeded
    client = ids[ACCOUNTS.client]
    pages = _signed_in(ACCOUNTS.therapist)
    _every_page(pages)
    for path, key in (("pages/therapist/client.py", "record-client"),
                      ("pages/therapist/brief.py", "brief-client"),
                      ("pages/therapist/skills.py", "skills-client"),
                      ("pages/therapist/reviews.py", "review-client")):
        pages.page(path)
        pages.then(f"{path}: hostile client", lambda at, key=key: at.selectbox(
            key=key).set_value(client))
    pages.then("skills: earlier versions", lambda at: [t.set_value(True) for t in at.toggle])
    pages.page("pages/therapist/groups.py")
    for view in ("Attendance", "Before group"):
        pages.then(f"groups: {view}", lambda at, view=view: at.segmented_control(
            key="groups-view").set_value(view))
        options = pages.at.selectbox(key=f"groups-{view}-session").options
        index = next((n for n, shown in enumerate(options) if "127.0.0.2" in shown), None)
        assert index is not None, f"the hostile group is not among the {view} sessions"
        pages.then(f"groups: {view}, hostile session", lambda at, view=view, index=index:
                   at.selectbox(key=f"groups-{view}-session").select_index(index))
    pages.then("groups: Schedule", lambda at: at.segmented_control(
        key="groups-view").set_value("Schedule"))
    pages.then("groups: the hostile group", lambda at: at.selectbox(
        key="group-mine-pick").set_value(series_id))
    _assert_safe(pages, {"pages/therapist/caseload.py",
                         "pages/therapist/client.py: hostile client",
                         "pages/therapist/brief.py: hostile client",
                         "pages/therapist/skills.py: hostile client",
                         "pages/therapist/reviews.py: hostile client",
                         "groups: Attendance, hostile session",
                         "groups: Before group, hostile session", "groups: the hostile group",
                         "pages/common/account.py"})


def test_admin_pages_show_hostile_text_as_text(seeded):
    ids, series_id = seeded
    pages = _signed_in(ACCOUNTS.admin)
    _every_page(pages)
    pages.page("pages/admin/people.py")
    pages.then("people: the hostile client", lambda at: next(
        s for s in at.selectbox if s.label == "Account").set_value(ids[ACCOUNTS.client]))
    pages.page("pages/admin/groups.py")
    pages.then("groups: the hostile group", lambda at: at.selectbox(
        key="group-pick").set_value(series_id))
    _assert_safe(pages, {"pages/admin/people.py", "people: the hostile client",
                         "groups: the hostile group", "pages/common/account.py"})
