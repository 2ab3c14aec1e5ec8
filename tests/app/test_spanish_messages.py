"""The last messages of issue #20 on a Spanish client's screen: a long paste refused with the
count, a hidden character refused by its name, and a check-in saved from another screen
meanwhile, each whole in Spanish (no English catalog string left, tests/support/untranslated.py);
what was typed stays in the box and nothing is stored."""
from __future__ import annotations

import pytest
from sqlmodel import select

from companion import checkins, i18n
from companion.actors import Actor
from companion.models import CheckIn, User
from tests.app.conftest import shown, sign_in, texts
from tests.app.test_spanish_more import visible
from tests.support.entries import answered, fill_checkin
from tests.support.untranslated import untranslated

CHECKIN = "pages/client/checkin.py"
NOTE = "Nota (opcional, solo para ti y tu terapeuta)"
SAVE = "Guardar registro diario"


@pytest.fixture(autouse=True)
def spanish_test_thread():
    """The test's thread reads Spanish too (AppTest calls format_func from it)."""
    i18n.use("es")
    yield
    i18n.use("en")


@pytest.fixture
def lucia(app, users, session):
    client = users.client(users.therapist(name="thera"), name="lucia")
    client.language = "es"
    session.commit()
    sign_in(app, "lucia")
    return client


def _note(at):
    return next(t for t in at.text_area if shown(t.label) == NOTE)


def _save(at):
    next(b for b in at.button if shown(b.label) == SAVE).click().run()


def _assert_spanish(at):
    assert not at.exception
    assert untranslated(visible(at)) == []


def test_a_long_paste_is_refused_in_spanish_with_the_count(app, lucia, session):
    at = app.switch_page(CHECKIN).run()
    fill_checkin(at)
    pasted = ("Hoy escribí mucho sobre mi día. " * 40)[:1200]
    _note(at).input(pasted)
    _save(at)
    message = (f"Tu nota tiene 1,200 caracteres; lo máximo que admite es "
               f"{checkins.NOTE_MAX:,}. Quita 200 caracteres y vuelve a guardar — no se "
               "perdió nada de lo que escribiste.")
    assert message in texts(at)
    assert "characters" not in texts(at)
    _assert_spanish(at)
    assert _note(at).value == pasted
    assert session.exec(select(CheckIn)).first() is None


def test_one_character_over_says_one_character(app, lucia, session):
    at = app.switch_page(CHECKIN).run()
    fill_checkin(at)
    _note(at).input("a" * (checkins.NOTE_MAX + 1))
    _save(at)
    assert "Quita 1 carácter y vuelve a guardar" in texts(at)
    _assert_spanish(at)


def test_a_hidden_character_is_refused_in_spanish(app, lucia, session):
    at = app.switch_page(CHECKIN).run()
    fill_checkin(at)
    _note(at).input("Un día\u200b largo")
    _save(at)
    assert ("Este texto tiene un carácter de formato oculto (U+200B, espacio de ancho cero) que "
            "no podemos guardar. Vuelve a escribir el texto, por favor.") in texts(at)
    _assert_spanish(at)
    assert session.exec(select(CheckIn)).first() is None


def test_a_stale_check_in_is_explained_in_spanish(app, lucia, session):
    at = app.switch_page(CHECKIN).run()
    fill_checkin(at, mood=3)
    _note(at).input("Un día largo, pero lo logré")
    me = Actor.of(session.exec(select(User).where(User.username == "lucia")).one())
    checkins.record_checkin(session, me, answered(mood=8, note="desde mi otro teléfono"))
    session.commit()  # another screen
    _save(at)
    assert ("Este registro diario se guardó desde otra pantalla desde que lo abriste: allí "
            "cambiaron Ánimo, Ganas de consumir, Estrés, Consumo y Nota. Tus respuestas "
            "siguen aquí: revisa lo más reciente y vuelve a guardar.") in texts(at)
    _assert_spanish(at)
    assert _note(at).value == "Un día largo, pero lo logré"
    assert [(r.mood, r.note) for r in session.exec(select(CheckIn))] == [
        (8, "desde mi otro teléfono")]
