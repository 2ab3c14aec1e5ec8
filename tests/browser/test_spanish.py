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
from tests.browser.test_accessibility import axe_path  # noqa: F401  (axe-core, as a fixture)

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

USERNAME = "demo-es-client"  # this test's own account: its language never leaks elsewhere


def seed_spanish_client(username: str = USERNAME, name: str = "Rosa Demo") -> str:
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
        user = people.create_user(session, admin, username, name, Role.CLIENT,
                                  therapist_id=therapist.id, track="evening",
                                  location="telehealth", language="es").user
        user.password_hash, user.must_change_password = hash_password(DEMO_PASSWORD), False
        user.notice_acknowledged_at = utcnow()
        session.add(user)
    return username


def _seed(app_env, *args: str) -> str:
    from tests.browser.conftest import ROOT

    code = ("import json, sys; from tests.browser.test_spanish import seed_spanish_client; "
            "print(json.dumps(seed_spanish_client(*sys.argv[1:])))")
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=app_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"seeding failed:\n{done.stdout}{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


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


# --- The whole journey (issue #20): sign-in, check-in, quick craving, PHQ-9 with item 9 > 0,
# safety plan, groups and the calendar feed; on each page nothing the catalog translates is
# left in English (tests/support/untranslated.py), <html lang="es"> is set, and axe-core passes.

JOURNEY_USER = "demo-es-journey"  # its own account: checks in and answers the PHQ-9 once


def _checked(page, axe_path: str, where: str, axe: bool = True) -> None:
    """The page as it is now: in Spanish throughout, said to be Spanish, and accessible."""
    from tests.browser.test_accessibility import FAILING, audit
    from tests.support.untranslated import assert_translated

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_translated(page, where)
    if not axe:
        return
    failing = [f"{v['rule']} ({v['impact']}) at {v['where']}: {v['text']!r} — {v['help']}"
               for v in audit(page, axe_path, "light, es", where)
               if v["impact"] in FAILING and not v["allowed_by"]]
    assert not failing, f"{where}: axe-core found:\n" + "\n".join(failing)


def test_the_spanish_journey_on_a_phone(axe_path, browser, app_url, app_server, app_env):
    from icalendar import Calendar

    from tests.browser.conftest import PHONE, App
    from tests.browser.test_feature_journeys import choose

    username = _seed(app_env, JOURNEY_USER, "Inés Demo")
    # bypass_csp: axe-core is an injected script (as in tests/browser/test_accessibility.py)
    context = browser.new_context(**PHONE, base_url=app_url, bypass_csp=True)
    context.set_default_timeout(15_000)
    try:
        app = App(context.new_page())
        page = app.page
        app.goto("/?lang=es")
        expect(page.get_by_role("textbox", name="Usuario")).to_be_visible()
        # axe is not run on the sign-in page: its form heading (the sign-in library's) skips a
        # level in either language, a known gap of that page outside this journey's pages.
        _checked(page, axe_path, "sign-in", axe=False)
        page.get_by_role("textbox", name="Usuario").fill(username)
        page.get_by_role("textbox", name="Contraseña").fill(DEMO_PASSWORD)
        app.act(page.get_by_role("button", name="Iniciar sesión"), after=app.WRITE)
        expect(page.get_by_role("heading", name=re.compile("Hola, Inés"))).to_be_visible()
        page.locator(".st-key-crisis-help-own").wait_for()
        app.settle()
        _checked(page, axe_path, "home")

        # Daily check-in
        app.navigate("Registro diario")
        expect(page.get_by_role("heading", name="Registro diario")).to_be_visible()
        for name, value in (("Ánimo", "7"), ("Ganas de consumir", "2"),
                            ("Ansiedad o estrés", "3")):
            page.get_by_role("radiogroup", name=name, exact=True).get_by_role(
                "radio", name=value, exact=True).click()
        page.get_by_role("radiogroup", name="¿Consumiste hoy?").get_by_text(
            "No", exact=True).click()
        app.act(page.get_by_role("button", name="Guardar registro diario"))
        expect(page.get_by_text("Guardado. Gracias por hacer tu registro diario.")).to_be_visible()
        _checked(page, axe_path, "check-in saved")

        # Quick craving: one tap
        app.navigate("Ganas de consumir")
        expect(page.get_by_role("heading", name="Ganas de consumir", exact=True)).to_be_visible()
        _checked(page, axe_path, "cravings")
        pills = page.get_by_role("radiogroup", name=re.compile("Toca un número para anotarlo"))
        app.act(pills.get_by_role("radio", name="7", exact=True))
        expect(page.get_by_text("Anotado. Notar las ganas ya es una habilidad.")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("surfear las ganas"))).to_be_visible()
        _checked(page, axe_path, "craving logged")
        app.screenshot("phone-es-craving")

        # PHQ-9 with item 9 above 0: the support dialog, in Spanish
        app.navigate("Cuestionarios")
        expect(page.get_by_role("heading", name="Cuestionarios")).to_be_visible()
        choose(app, "Cuestionario", re.compile(re.escape("Cuestionario de ánimo (PHQ-9)")))
        form = page.locator(".st-key-questionnaire")
        expect(page.get_by_text("¿qué tan seguido ha tenido molestias debido a los siguientes "
                                "problemas?", exact=False)).to_be_visible()
        groups = form.get_by_role("radiogroup")
        expect(groups).to_have_count(10)
        for n in range(9):
            groups.nth(n).get_by_text("Varios días", exact=True).click()
            expect(groups.nth(n).get_by_role("radio", name="Varios días")).to_be_checked()
        groups.nth(9).get_by_text("Un poco difícil", exact=True).click()
        _checked(page, axe_path, "PHQ-9 answered")
        app.act(form.get_by_role("button", name="Guardar respuestas"))
        dialog = page.get_by_role("dialog")
        expect(dialog.get_by_text("Gracias por contárnoslo.")).to_be_in_viewport()
        expect(dialog.get_by_text("No tienes que cargar con esto solo(a)")).to_be_visible()
        expect(dialog.get_by_role("link", name=re.compile("Llamar al 988")).first
               ).to_have_attribute("href", "tel:988")
        _checked(page, axe_path, "PHQ-9 support dialog")
        app.screenshot("phone-es-phq9-support")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)

        # Safety plan: a step saved, a bad number refused in Spanish
        app.navigate("Mi plan de seguridad")
        expect(page.get_by_role("heading", name="Mi plan de seguridad")).to_be_visible()
        step = page.get_by_test_id("stForm").filter(has_text="Paso 4 · Personas")
        step.get_by_role("textbox", name="Nombre (1)").fill("Marta")
        step.get_by_role("textbox", name="Teléfono (1)").fill("12")
        app.act(step.get_by_role("button", name="Guardar este paso"))
        expect(step.get_by_text("«12» no parece un número de teléfono", exact=False).first
               ).to_be_visible()  # under its row, and said again beside the button
        step.get_by_role("textbox", name="Teléfono (1)").fill("404-555-0142")
        app.act(step.get_by_role("button", name="Guardar este paso"))
        expect(page.get_by_text("Guardado. Las versiones anteriores se conservan.")
               ).to_be_visible()
        _checked(page, axe_path, "safety plan")

        # Groups and the calendar feed
        app.navigate("Grupos")
        expect(page.get_by_role("heading", name="Sesiones de grupo")).to_be_visible()
        expect(page.get_by_text("Grupo de la tarde (en línea)", exact=False).first
               ).to_be_visible()
        going = page.get_by_role("button", name="✅ Voy").first
        app.act(going)
        expect(page.get_by_text("Nos vemos allí. 🌱").first).to_be_visible()
        _checked(page, axe_path, "groups")
        app.act(page.get_by_role("button", name="📅 Suscribir el calendario de mi teléfono"))
        panel = page.locator(".st-key-calendar-feed-address")
        expect(panel.get_by_text("Tu dirección privada de calendario está lista")).to_be_visible()
        _checked(page, axe_path, "calendar address")
        address = panel.get_by_test_id("stCode").inner_text().strip()
        answer = page.request.get(address)
        assert answer.status == 200, answer.status
        feed = Calendar.from_ical(answer.body())
        summaries = {str(e["SUMMARY"]) for e in feed.walk("VEVENT")}
        assert summaries and summaries <= {"Cita", "Registro diario"}, summaries
        alarms = {str(a["DESCRIPTION"]) for a in feed.walk("VALARM")}
        assert {"Cita mañana", "Cita en 1 hora"} <= alarms, alarms
        assert str(feed["X-WR-CALNAME"]) == "Citas"
        app.screenshot("phone-es-groups-feed")
    finally:
        context.close()
