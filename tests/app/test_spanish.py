"""Spanish on screen (issue #20): the sign-in page from ?lang=es, a Spanish client's Home,
check-in and crisis help, the choice on My account; English clients see what they always did."""
import pytest
from sqlmodel import select

from companion.models import CheckIn, EntryTag, User
from tests.app.conftest import links, new_app, shown, sign_in, texts
from tests.support.entries import fill_checkin


def _labels(widgets) -> list[str]:
    return [shown(w.label) for w in widgets]


def _spanish_client(users, session, name="lucia"):
    client = users.client(users.therapist(name="thera"), name=name)
    client.language = "es"
    session.commit()
    return client


@pytest.fixture
def clinic(users, session):
    users.admin()  # the clinic is set up: the sign-in page, not the first-run page
    session.commit()


def test_sign_in_page_speaks_spanish_from_the_address(app, clinic):
    app.query_params["lang"] = "es"
    app.run()
    page = texts(app)
    assert "Para participantes, exparticipantes y personal del programa" in page
    assert "¿Olvidaste tu contraseña?" in page
    assert _labels(app.text_input)[:2] == ["Usuario", "Contraseña"]
    assert "🆘 ¿Necesitas ayuda ahora?" in _labels(app.expander)
    assert "sms:988?&body=AYUDA" in links(app).values()  # 988 en español, by text
    assert "sms:741741?&body=AYUDA" in links(app).values()
    assert app.segmented_control(key="sign-in-language").value == "es"


def test_sign_in_page_is_english_without_a_choice_and_the_choice_goes_in_the_address(app,
                                                                                     clinic):
    app.run()
    assert "For clients, alumni and staff of the program" in texts(app)
    assert "sms:741741?&body=HOME" in links(app).values()
    app.segmented_control(key="sign-in-language").set_value("es").run()
    assert app.query_params["lang"] == ["es"] or app.query_params["lang"] == "es"
    assert "¿Olvidaste tu contraseña?" in texts(app)


def test_an_unknown_language_in_the_address_is_english(app, clinic):
    app.query_params["lang"] = "xx"
    app.run()
    assert "Forgot your password?" in texts(app)


def test_a_spanish_clients_home_navigation_and_crisis_help(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    page = texts(app)
    assert shown(app.title[0].value) == "Hola, Test 🌿"
    assert "Todavía no hiciste tu registro diario de hoy." in page
    assert "Terapeuta:" in page
    assert "🆘 ¿Necesitas ayuda ahora?" in _labels(app.expander)
    assert "📞 Llamar al 988" in links(app)
    assert "💬 Enviar AYUDA al 741741" in links(app)
    assert "Sign out" not in _labels(app.button)


def test_a_spanish_client_saves_a_check_in(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/checkin.py").run()
    assert shown(at.title[0].value) == "Registro diario"
    labels = _labels(at.radio)
    assert "¿Consumiste hoy?" in labels and "Tomé mis medicamentos como me los recetaron" in labels
    assert "Detonantes de hoy" in _labels(at.multiselect)
    used = next(r for r in at.radio if shown(r.label) == "¿Consumiste hoy?")
    assert [shown(o) for o in used.options] == ["No", "Sí", "Prefiero no decirlo"]
    triggers = next(m for m in at.multiselect if shown(m.label) == "Detonantes de hoy")
    assert "Estrés en el trabajo" in triggers.options  # the clinic's list, in Spanish
    triggers.set_value(["Stress at work"])
    fill_checkin(at, mood=6)
    next(b for b in at.button if shown(b.label) == "Guardar registro diario").click().run()
    assert "Guardado. Gracias por hacer tu registro diario." in texts(at)
    assert any("Registro diario guardado." in shown(t.value) for t in at.toast)
    row = session.exec(select(CheckIn)).one()
    assert (row.mood, row.used) == (6, "no")  # stored as the same keys in any language
    tag = session.exec(select(EntryTag).where(EntryTag.tag_type == "trigger")).one()
    assert tag.label == "Stress at work"  # the clinic's English label, whatever was shown
    assert "Puedes cambiar tu registro hoy y mañana" in texts(at.run())


def test_a_spanish_check_in_left_unanswered_says_so_in_spanish(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/checkin.py").run()
    next(b for b in at.button if shown(b.label) == "Guardar registro diario").click().run()
    assert ("Ya casi: responde tu estado de ánimo, las ganas de consumir, la ansiedad o el "
            "estrés y si consumiste hoy, por favor.") in texts(at)
    assert session.exec(select(CheckIn)).first() is None


def test_a_strong_craving_in_spanish_gets_support_in_spanish(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at, craving=9)
    next(b for b in at.button if shown(b.label) == "Guardar registro diario").click().run()
    page = texts(at)
    assert "Son unas ganas de consumir muy fuertes" in page
    assert "tel:988" in links(at).values()


def test_an_english_client_is_unchanged(app, users, session):
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    page = texts(app)
    assert "You haven't checked in today yet." in page and "Hola" not in page
    assert "🆘 Need help now?" in _labels(app.expander)
    at = app.switch_page("pages/client/checkin.py").run()
    assert shown(at.title[0].value) == "Daily check-in"
    assert "Did you use today?" in _labels(at.radio)


def test_a_client_switches_to_spanish_on_my_account(app, users, session):
    client = users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/common/account.py").run()
    at.radio(key="my-language").set_value("es").run()
    session.expire_all()
    assert session.get(User, client.id).language == "es"
    assert "Idioma" in texts(at)
    at = at.switch_page("pages/client/home.py").run()
    assert "Todavía no hiciste tu registro diario de hoy." in texts(at)
    assert "🆘 ¿Necesitas ayuda ahora?" in _labels(at.expander)


def test_the_account_language_wins_over_the_address(app, users, session):
    _spanish_client(users, session)
    app.query_params["lang"] = "en"
    sign_in(app, "lucia")
    assert "Todavía no hiciste tu registro diario de hoy." in texts(app)


def test_an_admin_enrols_a_client_who_reads_spanish(app, users, session):
    users.admin(name="boss")
    therapist = users.therapist(name="dana")
    session.commit()
    sign_in(app, "boss")  # staff pass the second factor inside sign_in
    at = app.switch_page("pages/admin/people.py").run()
    assert at.selectbox(key="new-language").value == "en"  # English unless chosen
    at.text_input(key="new-name").input("Lucía Ejemplo")
    at.text_input(key="new-username").input("lucia.e")
    at.selectbox(key="new-therapist").set_value(therapist.id)
    at.selectbox(key="new-language").set_value("es")
    next(b for b in at.button if b.label == "Create account").click().run()
    assert not at.exception
    assert session.exec(select(User).where(User.username == "lucia.e")).one().language == "es"
