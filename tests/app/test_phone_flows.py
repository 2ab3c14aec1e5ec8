"""Phone flows on the page layer: deep links while signed out, and the idle sign-out that
says so and keeps what was being typed."""
import time

from sqlmodel import select

from companion.models import ChainAnalysis
from tests.app.conftest import registered_pages, sign_in, texts

IDLE_AGO = 16 * 60


def save_button(app, label="Save"):
    return next(b for b in app.button if b.label == label)


def _signed_in_at_lookback(app, users, session, name="robin"):
    users.client(users.therapist(), name=name)
    session.commit()
    sign_in(app, name)
    app.switch_page("pages/client/lookback.py").run()
    assert "Look back" in texts(app)


def test_a_page_address_while_signed_out_shows_sign_in_and_then_that_page(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    app.run()
    pages = app._registered_pages.values()
    by_url = {info["url_pathname"]: info["script_path"].split("/pages/")[-1] for info in pages}
    # every page address answers with the sign-in step, none with "page not found"
    for path in ("checkin", "lookback", "measures", "caseload", "people"):
        assert by_url[path] == "public/login.py", path
    assert registered_pages(app) == {"public/login.py"}


def test_idle_sign_out_saves_nothing_says_so_and_keeps_the_typing(app, users, session):
    _signed_in_at_lookback(app, users, session)
    first = app.text_area[0]
    first.input("I was tired and the bus was late")
    app.session_state["_last_activity"] = time.time() - IDLE_AGO
    save_button(app).click().run()  # the form's Save, pressed after the idle limit

    # the save callback did not run for an idle session
    session.expire_all()
    assert session.exec(select(ChainAnalysis)).all() == []
    assert registered_pages(app) == {"public/login.py"}
    assert "without activity" in texts(app) and "What you were typing is kept" in texts(app)
    app.run()  # the cookie component's own rerun: the message stays
    assert "without activity" in texts(app)

    sign_in(app, "robin")
    assert "Look back" in texts(app)  # back on the page it was on
    assert "Welcome back" in texts(app)
    assert app.text_area[0].value == "I was tired and the bus was late"
    assert "without activity" not in texts(app)


def test_another_person_signing_in_gets_no_draft(app, users, session):
    users.client(users.therapist(name="t2"), name="sam")
    _signed_in_at_lookback(app, users, session)
    app.text_area[0].input("private words")
    app.session_state["_last_activity"] = time.time() - IDLE_AGO
    save_button(app).click().run()
    sign_in(app, "sam")
    app.switch_page("pages/client/lookback.py").run()
    assert "private words" not in [t.value for t in app.text_area]
    assert "Welcome back" not in texts(app)
