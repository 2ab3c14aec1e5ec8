"""More of the app in Spanish at 390×844 (issue #20): a client whose account reads Spanish
opens a skills module, reads its lesson list, saves an exercise, edits and saves a section of
the aftercare plan and downloads the plan as a PDF, all in Spanish: each page is checked for
any visible English catalog string (tests/support/untranslated.py), and the PDF for its
Spanish title and headings."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from io import BytesIO

import pytest

from tests.browser.conftest import DEMO_PASSWORD, HELP_PANEL
from tests.support.untranslated import untranslated

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

USERNAME = "demo-es-client-b"  # this test's own account: its language never leaks elsewhere


def seed_spanish_client() -> str:
    """Enrol a client who reads Spanish, as an admin would (People page, Spanish chosen)."""
    from sqlmodel import select

    from companion import people
    from companion.actors import Actor
    from companion.core.db import session_scope
    from companion.core.timeutil import utcnow
    from companion.models import Role, User
    from companion.passwords import hash_password

    with session_scope() as session:
        admin = Actor.of(session.exec(select(User).where(User.username == "demo-admin")).one())
        therapist = session.exec(select(User).where(User.username == "demo-therapist1")).one()
        user = people.create_user(session, admin, USERNAME, "Marisol Demo", Role.CLIENT,
                                  therapist_id=therapist.id, track="evening",
                                  location="telehealth", language="es").user
        user.password_hash, user.must_change_password = hash_password(DEMO_PASSWORD), False
        user.notice_acknowledged_at = utcnow()
        session.add(user)
    return USERNAME


@pytest.fixture(scope="module")
def spanish_client(app_server, app_env):
    from tests.browser.conftest import ROOT

    code = ("import json; from tests.browser.test_spanish_more import seed_spanish_client; "
            "print(json.dumps(seed_spanish_client()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"seeding failed:\n{done.stdout}{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def english_left(page) -> list[str]:
    """Visible text of the page (the main area and the open crisis panel) that is an English
    catalog string: none on a Spanish page. Widget labels and button texts are in it."""
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    texts = page.locator("[data-testid=stMain]").inner_text().splitlines()
    texts += page.locator(HELP_PANEL).first.inner_text().splitlines()
    return untranslated(texts)


def test_a_spanish_client_practises_a_skill_and_keeps_an_aftercare_plan(app, spanish_client):
    from pypdf import PdfReader

    page = app.page
    app.goto("/?lang=es")
    page.get_by_role("textbox", name="Usuario").fill(spanish_client)
    page.get_by_role("textbox", name="Contraseña").fill(DEMO_PASSWORD)
    app.act(page.get_by_role("button", name="Iniciar sesión"), after=app.WRITE)
    expect(page.get_by_role("heading", name=re.compile("Hola, Marisol"))).to_be_visible()
    expect(page.locator(".st-key-crisis-help-own")).to_be_visible()
    app.settle()

    # Skills: the module list, one module, one exercise saved
    app.navigate("Habilidades")
    expect(page.get_by_role("heading", name="Habilidades", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Todos los módulos")).to_be_visible()
    assert english_left(page) == []
    module = page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_role("heading", name=re.compile("Estrés y anclaje"))).last
    app.act(module.get_by_role("button", name=re.compile("^(Abrir|Continuar)$")))
    expect(page.get_by_role("heading", name=re.compile("Estrés y anclaje"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Hora de preocuparte · "))).to_be_visible()
    assert english_left(page) == []
    app.act(page.get_by_role("button", name=re.compile("Hora de preocuparme · ")))
    expect(page.get_by_role("heading", name="Hora de preocuparme")).to_be_visible()
    assert english_left(page) == []
    page.get_by_role("textbox", name=re.compile("Lo que tengo en mente")).fill(
        "El alquiler y la cita del martes")
    page.get_by_role("radiogroup", name=re.compile("¿Puedo hacer algo con la más grande?")
                     ).get_by_text("En parte", exact=True).click()
    app.act(page.get_by_role("button", name="Guardar", exact=True))
    expect(page.get_by_text("Guardado. Qué bien que practicaste. 🌱")).to_be_visible()
    assert english_left(page) == []
    app.screenshot("phone-es-skills-exercise-saved")

    # Aftercare: one section edited and saved, then the PDF
    app.navigate("Plan de continuidad")
    expect(page.get_by_role("heading", name="Mi plan de continuidad")).to_be_visible()
    assert english_left(page) == []
    editor = page.get_by_test_id("stExpander").filter(has_text="Editar · Mis señales de alerta")
    editor.locator("summary").click()
    box = editor.get_by_role("textbox", name="Mis señales de alerta")
    expect(box).to_be_visible()
    box.fill("Dejo de comer y me aíslo")
    app.act(editor.get_by_role("button", name="Guardar esta sección"))
    expect(page.get_by_text("Guardado. Las versiones anteriores se conservan.")).to_be_visible()
    expect(page.get_by_text("Dejo de comer y me aíslo").first).to_be_visible()
    assert english_left(page) == []
    app.screenshot("phone-es-aftercare-saved")

    page.evaluate("window.scrollTo(0, 0)")
    with page.expect_download() as info:
        app.act(page.get_by_role("button", name="Descargar PDF"))
    with open(info.value.path(), "rb") as fh:
        reader = PdfReader(BytesIO(fh.read()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert reader.metadata.title == "Mi plan de continuidad"
    assert "Mi plan de continuidad — Marisol Demo" in text
    for heading in ("Mis señales de alerta", "Dejo de comer y me aíslo",
                    "Si necesitas ayuda ahora"):
        assert heading in text, (heading, text[:600])
    assert "My aftercare plan" not in text and "If you need help now" not in text
