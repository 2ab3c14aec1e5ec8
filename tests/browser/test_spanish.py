"""Spanish at 390×844 (issue #20): the sign-in page chosen by ?lang=es and kept on reload,
a client whose account speaks Spanish signs in, checks in by tapping, and finds the crisis
lines in Spanish, with the same tel:/sms: links."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.browser.conftest import DEMO_PASSWORD, HELP_PANEL

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

USERNAME = "demo-es-client"  # this test's own account: its language never leaks elsewhere


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
        user = people.create_user(session, admin, USERNAME, "Rosa Demo", Role.CLIENT,
                                  therapist_id=therapist.id, track="evening",
                                  location="telehealth", language="es").user
        user.password_hash, user.must_change_password = hash_password(DEMO_PASSWORD), False
        user.notice_acknowledged_at = utcnow()
        session.add(user)
    return USERNAME


@pytest.fixture(scope="module")
def spanish_client(app_server, app_env):
    from tests.browser.conftest import ROOT

    code = ("import json; from tests.browser.test_spanish import seed_spanish_client; "
            "print(json.dumps(seed_spanish_client()))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"seeding failed:\n{done.stdout}{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_spanish_sign_in_and_check_in_on_a_phone(app, spanish_client):
    page = app.page
    app.goto("/?lang=es")
    expect(page.get_by_role("textbox", name="Usuario")).to_be_visible()
    expect(page.get_by_text("¿Olvidaste tu contraseña?")).to_be_visible()
    app.reload()  # the choice is in the address: a reload keeps it
    assert "lang=es" in page.url
    expect(page.get_by_role("textbox", name="Contraseña")).to_be_visible()
    app.screenshot("phone-es-login")

    page.get_by_role("textbox", name="Usuario").fill(spanish_client)
    page.get_by_role("textbox", name="Contraseña").fill(DEMO_PASSWORD)
    app.act(page.get_by_role("button", name="Iniciar sesión"), after=app.WRITE)
    expect(page.get_by_role("heading", name=re.compile("Hola, Rosa"))).to_be_visible()
    expect(page.get_by_text("Todavía no hiciste tu registro diario de hoy.")).to_be_visible()

    app.act(page.get_by_role("link", name=re.compile("Hacer mi registro ahora")))
    expect(page.get_by_role("heading", name="Registro diario")).to_be_visible()
    for name, value in (("Ánimo", "6"), ("Ganas de consumir", "1"), ("Ansiedad o estrés", "3")):
        page.get_by_role("radiogroup", name=name, exact=True).get_by_role(
            "radio", name=value, exact=True).click()
    page.get_by_role("radiogroup", name="¿Consumiste hoy?").get_by_text("No", exact=True).click()
    app.act(page.get_by_role("button", name="Guardar registro diario"))
    expect(page.get_by_text("Guardado. Gracias por hacer tu registro diario.")).to_be_visible()
    app.screenshot("phone-es-checkin-saved")

    panel = page.locator(HELP_PANEL)
    panel.get_by_text("¿Necesitas ayuda ahora?").click()
    text_line = panel.get_by_role("link", name=re.compile("Enviar AYUDA al 741741"))
    expect(text_line).to_have_attribute("href", "sms:741741?&body=AYUDA")
    expect(panel.get_by_role("link", name=re.compile("Llamar al 988"))).to_have_attribute(
        "href", "tel:988")
    expect(panel.get_by_role("link", name=re.compile("Enviar AYUDA al 988"))).to_have_attribute(
        "href", "sms:988?&body=AYUDA")
    app.screenshot("phone-es-help")
