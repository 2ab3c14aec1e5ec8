"""More pages in Spanish (issue #20): skills (a module, a lesson, an exercise saved), the
aftercare plan, look back, my trends, My account, change password, the privacy notice, the
second factor and the first-run page, each with no English catalog string left on screen
(tests/support/untranslated.py); what is stored stays language-free."""
from __future__ import annotations

import pytest
from sqlmodel import select

from companion import i18n
from companion.models import SkillAnswer
from tests.app.conftest import shown, sign_in, texts
from tests.support.untranslated import untranslated

WIDGETS = ("button", "radio", "selectbox", "multiselect", "text_input", "text_area",
           "expander", "toggle", "checkbox", "date_input", "time_input", "number_input",
           "select_slider", "tabs", "button_group", "download_button", "link_button",
           "page_link")


def visible(at) -> list[str]:
    """What a person reads on the page: text elements, widget labels, options, placeholders
    and help, toasts."""
    found = [shown(e.value) for kind in ("title", "header", "subheader", "markdown", "caption",
                                         "info", "success", "error", "warning", "toast")
             for e in getattr(at, kind)]
    for kind in WIDGETS:
        for element in at.get(kind):
            proto = element.proto
            for name in ("label", "placeholder", "help"):
                if getattr(proto, name, ""):
                    found.append(shown(getattr(proto, name)))
            for option in getattr(proto, "options", ()):
                found.append(shown(getattr(option, "content", option)))
    return [text for text in found if text]


def assert_spanish(at) -> None:
    assert not at.exception
    assert untranslated(visible(at)) == []


def _spanish_client(users, session, name="lucia"):
    client = users.client(users.therapist(name="thera"), name=name)
    client.language = "es"
    session.commit()
    return client


@pytest.fixture(autouse=True)
def spanish_test_thread():
    """AppTest calls a widget's format_func from the test's own thread when it reads the
    widget's value: that thread reads Spanish too (as the script's does), or a format_func
    that translates would give English and the value would not be found among the options."""
    i18n.use("es")
    yield
    i18n.use("en")


@pytest.fixture
def lucia(app, users, session):
    client = _spanish_client(users, session)
    sign_in(app, "lucia")
    return client


SKILLS = "pages/client/skills.py"


def test_the_skills_page_in_spanish(app, lucia):
    at = app.switch_page(SKILLS).run()
    assert shown(at.title[0].value) == "Habilidades"
    assert "Todos los módulos" in texts(at)
    assert "🌊 Atravesar las ganas de consumir" in texts(at)
    assert_spanish(at)


def test_a_spanish_lesson_and_module(app, lucia):
    app.query_params["module"] = "stress-grounding"
    at = app.switch_page(SKILLS).run()
    assert "Respiración cuadrada" in shown(at.title[0].value) or "Estrés y anclaje" in shown(
        at.title[0].value)
    assert_spanish(at)
    at.query_params["lesson"] = "worry-time"
    at = at.run()
    assert shown(at.title[0].value) == "Hora de preocuparte"
    assert_spanish(at)


def test_a_spanish_exercise_saves_the_english_option_and_shows_it_in_spanish(app, lucia,
                                                                             session):
    app.query_params["module"] = "stress-grounding"
    app.query_params["exercise"] = "worry-time"
    at = app.switch_page(SKILLS).run()
    assert shown(at.title[0].value) == "Hora de preocuparme"
    assert_spanish(at)
    at.text_area(key="sk-stress-grounding-worry-time-0-worries").input("El alquiler del mes")
    choice = at.radio(key="sk-stress-grounding-worry-time-0-can_act")
    assert [shown(o) for o in choice.options] == [
        "Sí, hay un paso que puedo dar", "En parte", "No, por ahora no está en mis manos"]
    choice.set_value("Partly")
    next(b for b in at.button if shown(b.label) == "Guardar").click().run()
    assert "Guardado. Qué bien que practicaste. 🌱" in texts(at)
    row = session.exec(select(SkillAnswer)).one()
    assert row.answers["can_act"] == "Partly"  # stored as the module's English option
    assert row.answers["worries"] == "El alquiler del mes"  # as typed
    at = at.run()
    assert_spanish(at)


def test_the_check_finds_english_on_an_english_client_s_page(app, users, session):
    """The same check on an English reader's page finds the catalog's English: it would
    catch a page left untranslated."""
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    i18n.use("en")
    at = app.switch_page(SKILLS).run()
    assert {"All modules", "I used a skill today"} <= set(untranslated(visible(at)))


# --- aftercare ---------------------------------------------------------------------------

AFTERCARE = "pages/client/aftercare.py"


def _fill(at, key, value):
    next(w for w in [*at.text_input, *at.text_area] if w.key == key).input(value)


def test_the_aftercare_plan_in_spanish_saves_and_sends(app, lucia, session):
    from companion.models import AftercarePlan

    at = app.switch_page(AFTERCARE).run()
    assert shown(at.title[0].value) == "Mi plan de continuidad"
    assert "**Estado:** Sin empezar" in texts(at)
    assert "Mis señales de alerta" in texts(at)
    assert_spanish(at)
    _fill(at, "ac-people-0-0-name", "Mi hermana")
    _fill(at, "ac-people-0-0-phone", "555-555-0142")
    at.button(key="FormSubmitter:ac-form-people-Guardar esta sección").click().run()
    assert "Guardado. Las versiones anteriores se conservan." in texts(at)
    assert any("Sección guardada." in shown(t.value) for t in at.toast)
    assert_spanish(at)
    at.button(key="ac-send-people").click().run()
    assert "Enviado. Quien revisa tu plan lo va a mirar pronto." in texts(at)
    assert "Esperando revisión" in texts(at)
    assert_spanish(at)
    assert session.exec(select(AftercarePlan)).one().status == "submitted"


def test_a_level_of_care_is_chosen_in_spanish_and_stored_in_english(app, lucia, session):
    from companion.models import AftercareVersion

    at = app.switch_page(AFTERCARE).run()
    level = at.selectbox(key="ac-next_care-0-level")
    assert level.options[1:3] == ["Tratamiento ambulatorio semanal", "Terapia individual"]
    level.select_index(2)
    # (the last run: AppTest cannot map a stored value back through the page's format_func)
    at.button(key="FormSubmitter:ac-form-next_care-Guardar esta sección").click().run()
    assert "Tipo de atención: Terapia individual" in texts(at)
    stored = session.exec(select(AftercareVersion)).one().sections
    assert stored["next_care"]["level"] == "Individual therapy"  # the English choice


def test_a_bad_phone_in_the_aftercare_plan_is_refused_in_spanish(app, lucia):
    at = app.switch_page(AFTERCARE).run()
    _fill(at, "ac-people-0-0-name", "Sis")
    _fill(at, "ac-people-0-0-phone", "llámala")
    at.button(key="FormSubmitter:ac-form-people-Guardar esta sección").click().run()
    assert "«llámala» no parece un número de teléfono" in texts(at)


# --- look back, trends -------------------------------------------------------------------

def test_look_back_in_spanish(app, lucia, session):
    from companion.models import ChainAnalysis

    at = app.switch_page("pages/client/lookback.py").run()
    assert shown(at.title[0].value) == "Mirar atrás" or at.title
    assert "¿Qué estaba pensando?" in [shown(t.label) for t in at.text_area]
    assert_spanish(at)
    next(b for b in at.button if shown(b.label) == "Guardar").click().run()
    assert "Escribe algunas palabras en cualquier casilla" in texts(at)
    at.text_area(key="lb-thoughts").input("Que me lo merecía")
    next(b for b in at.button if shown(b.label) == "Guardar").click().run()
    assert "Guardado. Gracias por tomarte el tiempo" in texts(at)
    assert session.exec(select(ChainAnalysis)).one().answers["thoughts"] == "Que me lo merecía"
    assert_spanish(at)


def _chart_specs(at) -> list[dict]:
    import json

    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def test_my_trends_in_spanish_and_the_charts_cached_per_language(app, lucia, users, session):
    from companion.actors import Actor
    from companion.checkins import record_checkin
    from tests.support.entries import answered

    record_checkin(session, Actor.of(lucia), answered(mood=6, triggers=["Stress at work"]))
    robin = users.client(users.therapist(name="other"), name="robin")
    record_checkin(session, Actor.of(robin), answered(mood=6, triggers=["Stress at work"]))
    session.commit()
    at = app.switch_page("pages/client/trends.py").run()
    assert shown(at.title[0].value) == "Mis tendencias" or at.title
    assert_spanish(at)
    specs = _chart_specs(at)
    titles = [s.get("title") for s in specs]
    assert {"text": "Ánimo, ganas de consumir y estrés",
            "subtitle": "Puntos: cada día · línea punteada: promedio de 7 días"} in titles
    assert "Detonantes frecuentes" in titles
    assert all(s["config"]["locale"]["time"]["shortMonths"][0] == "ene" for s in specs)
    # The same data for an English reader: its own spec, never the Spanish one from the cache
    from tests.app.conftest import new_app

    english = new_app()
    i18n.use("en")
    sign_in(english, "robin")
    at = english.switch_page("pages/client/trends.py").run()
    titles = [s.get("title") for s in _chart_specs(at)]
    assert "Common triggers" in titles and "Detonantes frecuentes" not in titles
    assert all("locale" not in s["config"] for s in _chart_specs(at))


# --- My account, passwords, the privacy notice, the second factor, first run -----------

def test_my_account_in_spanish(app, lucia):
    at = app.switch_page("pages/common/account.py").run()
    assert shown(at.title[0].value) == "Mi cuenta"
    page = texts(at)
    assert "**Cuenta:** Participante" in page and "**Terapeuta:**" in page
    assert "Quién del personal vio mis registros" in page
    assert "Llaves de acceso" in page and "Algo que esperar con ganas" in page
    assert_spanish(at)


def test_changing_the_password_in_spanish_says_what_is_wrong_in_spanish(app, lucia):
    at = app.switch_page("pages/common/account.py").run()
    at.text_input[0].input("wrong password")
    at.text_input[1].input("corto")
    at.text_input[2].input("corto")
    next(b for b in at.button if shown(b.label) == "Guardar la contraseña nueva").click().run()
    assert any("contraseña" in shown(e.value) for e in at.error)
    assert untranslated(shown(e.value) for e in at.error) == []


def test_choose_your_password_in_spanish(app, users, session):
    client = _spanish_client(users, session)
    client.must_change_password = True
    session.commit()
    sign_in(app, "lucia")
    assert shown(app.title[0].value) == "Elige tu contraseña"
    # (the run that signs in still holds the sign-in page's English clinic line in AppTest's
    # tree; the next run, as a browser's, is all Spanish)
    assert_spanish(app.run())


def test_the_privacy_notice_and_two_step_sign_in_pages_in_spanish(app, users, session):
    client = _spanish_client(users, session)
    client.notice_acknowledged_at = None
    session.commit()
    sign_in(app, "lucia")
    assert shown(app.title[0].value) == "Tu privacidad"
    assert "Ya la leí" in [shown(b.label) for b in app.button]


def test_the_first_run_page_in_spanish(app):
    app.query_params["lang"] = "es"
    app.run()
    assert shown(app.title[0].value) == "Te damos la bienvenida a IOP Companion"
    assert "Crear la cuenta de administración" in [shown(b.label) for b in app.button]
    assert_spanish(app)
