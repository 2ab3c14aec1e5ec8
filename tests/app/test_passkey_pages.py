"""Passkeys in the app: offered on the sign-in page, managed on My account, and offered as
the second step to staff who have one (the ceremonies are the passkey page's, tested in
tests/unit/test_passkey_routes.py and tests/browser/test_passkeys.py)."""
import json

from sqlmodel import select

from companion import passkeys
from companion.models import AuditEvent, UserSession
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
    admin = users.admin(name="ada")
    staff = users.therapist(name="thera")
    _add_passkey(session, staff)
    _add_passkey(session, admin)  # the rule applies to admins too: turned on by one with one
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


def _rule_on(session, users):
    admin = users.admin(name="ada")
    _add_passkey(session, admin, "Ada's phone")
    passkeys.set_staff_passkeys_required(session, actor(admin), True)
    session.commit()
    return admin


def test_under_the_rule_staff_without_a_passkey_must_add_one_first(app, users, session):
    _rule_on(session, users)
    staff = users.therapist(name="thera")
    session.commit()
    sign_in(app, "thera")  # password, then the code: that step is unchanged
    assert registered_pages(app) == {"common/add_passkey.py"}
    assert app.title[0].value == "Add a passkey to continue"
    shown_text = texts(app)
    assert "can't be guessed or phished" in shown_text
    assert "Please ask an admin" in shown_text and "turn off the clinic's passkey rule" in (
        shown_text)
    assert same_tab_links(app)["Add a passkey on this device"] == REGISTER_URL + "&next="
    assert [b.label for b in app.button if b.label == "Sign out"], "a way out on the page"
    app.run()  # every address is this step (no staff page is registered): still here
    assert registered_pages(app) == {"common/add_passkey.py"}
    held = [e.detail for e in session.exec(select(AuditEvent))
            if e.detail.startswith("asked to add a passkey")]
    assert held == ["asked to add a passkey before any staff page (the clinic's rule): thera"]

    _add_passkey(session, staff)  # what the passkey page does, then it opens the app again
    app.run()
    assert "pages/therapist/caseload.py" in {f"pages/{p}" for p in registered_pages(app)}
    assert app.title[0].value != "Add a passkey to continue"


def test_the_forced_step_comes_back_to_the_page_asked_for(app, users, session):
    _rule_on(session, users)
    users.therapist(name="thera")
    session.commit()
    sign_in(app, "thera")
    app.query_params["client"] = "12"
    app.run()
    assert same_tab_links(app)["Add a passkey on this device"] == (
        REGISTER_URL + "&next=%3Fclient%3D12")


def test_the_forced_step_has_its_own_sign_out(app, users, session):
    _rule_on(session, users)
    users.therapist(name="thera")
    session.commit()
    sign_in(app, "thera")
    next(b for b in app.button if b.label == "Sign out").click().run()
    assert "Signed out." in texts(app)
    next(b for b in app.button if b.label == "Back to sign in").click().run()
    assert registered_pages(app) == {"public/login.py"}
    assert session.exec(select(UserSession).where(UserSession.ended_at.is_(None))).all() == []


def test_with_the_rule_off_staff_go_straight_to_their_pages(app, users, session):
    users.therapist(name="thera")
    session.commit()
    sign_in(app, "thera")
    assert "common/add_passkey.py" not in registered_pages(app)
    assert "therapist/caseload.py" in registered_pages(app)


def test_under_the_rule_clients_are_never_held(app, users, session):
    _rule_on(session, users)
    users.client(name="casey")
    session.commit()
    sign_in(app, "casey")
    assert "common/add_passkey.py" not in registered_pages(app)
    assert "client/home.py" in registered_pages(app)


def test_where_passkeys_cannot_work_the_app_says_so_instead_of_a_button(app, users, session,
                                                                        monkeypatch):
    monkeypatch.setattr("companion.ui.passkeys.available_here", lambda: False)
    client = users.client(name="casey")
    _add_passkey(session, client)
    app.run()
    assert "Sign in with a passkey" not in same_tab_links(app)
    assert "clinic's secure address" in texts(app)
    sign_in(app, "casey")
    app.switch_page("pages/common/account.py").run()
    assert ADD_LABEL not in same_tab_links(app)
    assert "clinic's secure address" in texts(app) and "My phone" in texts(app)


def test_the_sign_in_page_offers_passkeys_in_the_username_field(app, users, session):
    users.admin()
    session.commit()
    app.run()
    [autofill] = [el for el in app.get("component_instance")
                  if el.proto.component_name.endswith("passkey_autofill")]
    assert json.loads(autofill.proto.json_args)["field"] == "Username"


def test_the_forced_step_speaks_the_staff_members_language(app, users, session):
    _rule_on(session, users)
    staff = users.therapist(name="thera")
    staff.language = "es"
    session.commit()
    sign_in(app, "thera")
    assert app.title[0].value == "Agrega una llave de acceso para continuar"
    assert "Pídele ayuda a una persona administradora" in texts(app)
    url = same_tab_links(app)["Agregar una llave de acceso en este dispositivo"]
    assert url == REGISTER_URL + "&next=&lang=es"  # the passkey page speaks Spanish too


def test_while_a_draft_is_kept_the_sign_in_page_says_to_use_the_password(app, users, session):
    from companion.ui.gate import DRAFT

    users.admin()
    session.commit()
    app.session_state[DRAFT] = ("casey", {"note": "half a sentence"})
    app.run()
    assert not [el for el in app.get("component_instance")
                if el.proto.component_name.endswith("passkey_autofill")]
    assert "sign in with your password this time" in texts(app)
