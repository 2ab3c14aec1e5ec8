"""Passkeys in the app: offered on the sign-in page, managed on My account, and offered as
the second step to staff who have one (the ceremonies are the passkey page's, tested in
tests/unit/test_passkey_routes.py and tests/browser/test_passkeys.py)."""
from sqlmodel import select

from companion import passkeys
from companion.models import AuditEvent
from companion.ui.passkeys import ADD_LABEL, REGISTER_URL, SECOND_FACTOR_URL, SIGN_IN_URL
from tests.app.conftest import new_app, registered_pages, same_tab_links, sign_in, texts
from tests.conftest import PASSWORD, actor
from tests.support.soft_authenticator import SoftAuthenticator

RP = passkeys.RelyingParty("localhost", ("http://localhost:8501",))


def _add_passkey(session, user, label="My phone"):
    ceremony = passkeys.begin_registration(session, actor(user), rp=RP)
    passkeys.finish_registration(session, actor(user), ceremony.handle,
                                 SoftAuthenticator().create(ceremony.options), label, rp=RP)
    session.commit()


def test_the_sign_in_page_offers_a_passkey(app, users, session):
    users.admin()
    session.commit()
    app.run()
    assert same_tab_links(app)["Sign in with a passkey"] == SIGN_IN_URL
    assert app.button[0].label == "Sign in"  # the password form stays first


def test_a_client_adds_and_removes_passkeys_on_my_account(app, users, session):
    client = users.client(name="casey")
    session.commit()
    sign_in(app, "casey")
    app.switch_page("pages/common/account.py").run()
    assert same_tab_links(app)[ADD_LABEL] == REGISTER_URL
    assert "No passkeys yet." in texts(app)
    _add_passkey(session, client, "My phone")
    _add_passkey(session, client, "Tablet")
    app.run()
    assert "My phone" in texts(app) and "Tablet" in texts(app)
    next(b for b in app.button if b.label == "Remove “My phone”").click().run()
    next(b for b in app.button if b.label == "Yes, remove it").click().run()
    app.run()
    assert [p.label for p in passkeys.own_passkeys(session, actor(client))] == ["Tablet"]
    assert "My phone" not in texts(app)
    assert any("passkey removed (My phone)" in e.detail
               for e in session.exec(select(AuditEvent)))


def test_remove_all_passkeys(app, users, session):
    client = users.client(name="casey")
    _add_passkey(session, client, "One")
    _add_passkey(session, client, "Two")
    sign_in(app, "casey")
    app.switch_page("pages/common/account.py").run()
    next(b for b in app.button if b.label == "Remove all passkeys").click().run()
    next(b for b in app.button if b.label == "Yes, remove them all").click().run()
    app.run()
    assert passkeys.own_passkeys(session, actor(client)) == []
    assert "No passkeys yet." in texts(app)


def test_staff_with_a_passkey_may_use_it_for_the_second_step(app, users, session):
    staff = users.therapist(name="thera")
    _add_passkey(session, staff)
    app.run()
    app.text_input[0].input("thera")
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    app.run()
    assert registered_pages(app) == {"common/second_factor.py"}
    assert same_tab_links(app)["Use my passkey instead"] == SECOND_FACTOR_URL
    assert app.text_input, "the code box stays"


def test_staff_without_a_passkey_see_only_the_code_box(app, users, session):
    users.therapist(name="thera")
    session.commit()
    app.run()
    app.text_input[0].input("thera")
    app.text_input[1].input(PASSWORD)
    app.button[0].click().run()
    app.run()
    assert "Use my passkey instead" not in same_tab_links(app)


def test_an_admin_requires_passkeys_for_staff(app, users, session):
    users.admin(name="ada")
    staff = users.therapist(name="thera")
    _add_passkey(session, staff)
    sign_in(app, "ada")
    app.switch_page("pages/admin/people.py").run()
    app.toggle(key="staff-passkeys-required").set_value(True).run()
    next(b for b in app.button if b.label == "Save staff sign-in rule").click().run()
    session.expire_all()
    assert passkeys.staff_passkeys_required(session)

    staff_app = new_app()
    staff_app.run()
    staff_app.text_input[0].input("thera")
    staff_app.text_input[1].input(PASSWORD)
    staff_app.button[0].click().run()
    staff_app.run()
    assert same_tab_links(staff_app)["Use my passkey instead"] == SECOND_FACTOR_URL
    assert "Lost your passkey? Enter a recovery code" in texts(staff_app)
    assert "6-digit code from your authenticator app" not in texts(staff_app)
