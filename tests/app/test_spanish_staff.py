"""The staff side in Spanish (issue #20): a therapist who reads Spanish sees the caseload, a
client's record, the pre-session brief (and its PDF) and aftercare reviews in Spanish, an
admin the People page; flags stored in English (or as a code) are read in the reader's
language; clients' words and the clinic's stored lists stay as stored."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from companion import aftercare, brief, flags, i18n, pdf
from companion.actors import Actor
from companion.checkins import record_checkin
from companion.core.timeutil import clinic_today, utcnow
from companion.models import Flag
from tests.app.conftest import shown, sign_in, texts
from tests.support.entries import answered
from tests.support.untranslated import untranslated

NOTE = "Lo llamé; revisamos el plan"  # typed by the therapist: Spanish, so never a finding


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.use("en")  # the language of this process outside a run, for the next test


def visible(at) -> list[str]:
    """Every text a person reads on the page: bodies, labels, placeholders, options, toasts,
    links and download buttons."""
    found = [texts(at)]
    for kind in ("button", "toggle", "checkbox", "date_input", "expander", "text_area",
                 "number_input"):
        found += [shown(w.label) for w in getattr(at, kind)]
    for w in at.text_input:
        found += [shown(w.label), shown(w.proto.placeholder)]
    for w in at.selectbox:
        found += [shown(w.label), shown(w.proto.placeholder), *map(shown, w.options)]
    for w in at.radio:
        found += [shown(w.label), *map(shown, w.options)]
    found += [shown(t.value) for t in at.toast]
    for kind in ("page_link", "download_button", "link_button"):
        found += [shown(el.proto.label) for el in at.get(kind)]
    return [f for f in found if f]


def _spanish(user, session):
    user.language = "es"
    session.commit()
    return user


@pytest.fixture
def world(users, session):
    therapist = _spanish(users.therapist(name="tera"), session)
    client = users.client(therapist, name="robin")
    record_checkin(session, Actor.of(client),
                   answered(craving=9, mood=4, note="Fue un día difícil en el trabajo"))
    session.commit()
    return therapist, client


def test_a_spanish_therapists_caseload_is_in_spanish(app, world, session):
    sign_in(app, "tera")
    page = texts(app)
    assert shown(app.title[0].value) == "Mis participantes"
    assert "Necesita atención (1)" in page
    assert "⏰ **Hoy mismo**" in page or "Hoy mismo" in page
    assert "Ganas de consumir fuertes" in page
    assert "Ganas de consumir en el registro diario: 9/10" in page  # the reason, from its code
    assert "Último registro diario: hoy; ganas de consumir 9.0/10 esta semana" in page
    assert "Strong craving" not in page and "Needs attention" not in page
    assert untranslated(visible(app)) == []


def test_acknowledging_in_spanish_says_so_in_spanish(app, world, session):
    sign_in(app, "tera")
    flag = session.exec(select(Flag)).one()
    app.text_input(key=f"ack-{flag.id}").input(NOTE)
    app.button(key=f"ack-btn-{flag.id}").click().run()
    assert any("Puede deshacerlo durante un minuto" in shown(t.value) for t in app.toast)
    page = texts(app)
    assert "Atendidas recientemente" in page and NOTE in page
    assert untranslated(visible(app)) == []


def test_a_client_record_in_spanish(app, world, session):
    therapist, client = world
    sign_in(app, "tera")
    at = app.switch_page("pages/therapist/client.py")
    at.query_params["client"] = str(client.id)
    at.run()
    page = texts(at)
    assert shown(at.title[0].value) == "Expediente del participante"
    assert "Alertas abiertas (1)" in page and "Desde la última sesión" in page
    assert "**Hoy:** ánimo **4**/10 · ganas de consumir **9**/10" in page
    assert "Fue un día difícil en el trabajo" in page  # the client's own words, as written
    assert "Historial de alertas" in page
    assert untranslated(visible(at)) == []


def test_the_brief_page_and_its_pdf_in_spanish(app, world, session):
    therapist, client = world
    sign_in(app, "tera")
    at = app.switch_page("pages/therapist/brief.py")
    at.query_params["client"] = str(client.id)
    at.run()
    assert shown(at.title[0].value) == "Resumen antes de la sesión"
    page = texts(at)
    assert "**Sesiones en este período**" in page or "Sesiones en este período" in page
    assert "Alertas y cómo se atendieron" in page
    assert untranslated(visible(at)) == []

    i18n.use("es")  # as the page's run: the PDF is made in the reader's language
    found = brief.for_client(session, Actor.of(therapist), client.id,
                             clinic_today() - timedelta(days=7))
    text = brief.as_text(found)
    assert text.startswith("Esta información se le ha divulgado a usted")
    # the English notice, as the regulation words it, follows its translation
    assert "(en inglés): This information has been disclosed to you" in text
    assert "RESUMEN ANTES DE LA SESIÓN — " in text
    reader = PdfReader(io.BytesIO(pdf.brief_pdf(found.client_name, text)))
    printed = " ".join(p.extract_text() for p in reader.pages)
    printed = " ".join(printed.split())
    assert "Resumen antes de la sesión — " in printed
    assert "42 CFR parte 2" in printed and "42 CFR part 2" in printed
    assert "Registros diarios: 1 de" in printed and "Alertas:" in printed
    assert "Ganas de consumir fuertes" in printed and "página 1" in printed
    assert "Fue un día difícil en el trabajo" in printed
    assert "Pre-session brief" not in printed and "Check-ins:" not in printed


def test_an_english_brief_is_unchanged(session, world):
    therapist, client = world
    i18n.use("en")
    found = brief.for_client(session, Actor.of(therapist), client.id,
                             clinic_today() - timedelta(days=7))
    text = brief.as_text(found)
    assert text.startswith("This information has been disclosed to you") and "inglés" not in text
    assert "PRE-SESSION BRIEF — " in text and "Check-ins: 1 of 8 days." in text
    assert "Strong craving: Check-in craving 9/10 — OPEN" in text
    printed = " ".join(PdfReader(io.BytesIO(pdf.brief_pdf(found.client_name, text)))
                       .pages[0].extract_text().split())
    assert "Pre-session brief — " in printed and "page 1" in printed


def test_aftercare_review_in_spanish(app, users, session):
    therapist = _spanish(users.therapist(name="tera"), session)
    client = users.client(therapist, name="robin")
    aftercare.save(session, Actor.of(client),
                   {**aftercare.empty_sections(), "routine": "Caminar a las 7"})
    aftercare.submit(session, Actor.of(client))
    session.commit()
    sign_in(app, "tera")
    at = app.switch_page("pages/therapist/reviews.py").run()
    assert shown(at.title[0].value) == "Revisiones del plan de continuidad"
    labels = [shown(b.label) for b in at.button]
    assert "Aprobar" in labels and "Pedir cambios" in labels
    assert "Caminar a las 7" in texts(at)
    assert untranslated(visible(at)) == []


def test_an_admins_people_page_in_spanish(app, users, session):
    _spanish(users.admin(name="jefa"), session)
    users.client(users.therapist(name="dana"), name="robin")
    session.commit()
    sign_in(app, "jefa")
    # AppTest formats a selectbox's value with the page's format_func in this thread, outside
    # the run: it must speak the run's language here too.
    i18n.use("es")
    at = app.switch_page("pages/admin/people.py").run()
    assert shown(at.title[0].value) == "Personas"
    columns = list(at.dataframe[0].value.columns)
    assert "Nombre" in columns and "Tipo de cuenta" in columns and "Name" not in columns
    assert "Participante" in set(at.dataframe[0].value["Tipo de cuenta"])
    assert "Administrar una cuenta" in texts(at)
    assert untranslated(visible(at)) == []


def test_an_old_flag_stored_in_english_reads_in_spanish(session, world):
    therapist, client = world
    old = Flag(client_id=client.id, rule="mood_drop", tier="routine",
               reason="Mood 3/10, 3.5 below the 14-day average of 6.5")
    odd = Flag(client_id=client.id, rule="craving_high", tier="same_day",
               reason="Something a rule wrote before reasons had codes")
    missed = Flag(client_id=client.id, rule="no_checkin", tier="routine",
                  reason="No check-in since Tue Mar 3", raised_at=utcnow())
    session.add_all([old, odd, missed])
    session.commit()
    assert flags.reason_of(old, "es") == ("Ánimo 3/10, 3.5 por debajo del promedio de 14 días "
                                          "de 6.5")
    assert flags.reason_of(odd, "es") == "Something a rule wrote before reasons had codes"
    assert flags.reason_of(old, "en") == old.reason
    assert flags.reason_of(missed, "es").startswith("Sin registro diario desde el ")
    assert "mar" in flags.reason_of(missed, "es")
    # the template with the most fixed words is tried first: an absence is not read as a score
    absent = Flag(client_id=client.id, rule="absence", tier="routine", raised_at=utcnow(),
                  reason="Missed Process group, Mon Mar 2 (not excused)")
    assert flags.reason_of(absent, "es").startswith("Faltó a Process group, ")
    assert flags.reason_of(absent, "es").endswith(" (sin justificar)")


def test_a_new_flag_keeps_its_code_and_its_english(session, world):
    flag = session.exec(select(Flag)).one()
    assert flag.reason == "Check-in craving 9/10"  # exports and the English pages as before
    assert flag.reason_params == {"code": "checkin_craving", "value": 9}
    assert flags.reason_of(flag, "es") == "Ganas de consumir en el registro diario: 9/10"


@pytest.mark.parametrize("page, title", [
    ("pages/therapist/groups.py", "Grupos"),
    ("pages/therapist/skills.py", "Práctica de habilidades"),
    ("pages/therapist/outcomes.py", "Resultados de mis participantes"),
])
def test_a_spanish_therapists_other_pages(app, world, page, title):
    therapist, client = world
    sign_in(app, "tera")
    at = app.switch_page(page)
    at.query_params["client"] = str(client.id)
    at.run()
    assert not at.exception
    assert shown(at.title[0].value) == title
    assert [t for t in untranslated(visible(at)) if not _skill_content(t)] == []


def _skill_content(line: str) -> bool:
    """A line naming a skills module, lesson or exercise: the modules' own words (data/skills/,
    translated with the skills content, not by this page)."""
    from companion import skill_modules

    names = {m.title for m in skill_modules.modules()}
    names |= {x.title for m in skill_modules.modules() for x in (*m.lessons, *m.exercises)}
    return any(name in line for name in names)


@pytest.mark.parametrize("page, title", [
    ("pages/admin/audit.py", "Registro de accesos"),
    ("pages/admin/outcomes.py", "Resultados del programa"),
])
def test_a_spanish_admins_other_pages(app, users, session, page, title):
    _spanish(users.admin(name="jefa"), session)
    users.client(users.therapist(name="dana"), name="robin")
    session.commit()
    sign_in(app, "jefa")
    i18n.use("es")  # AppTest formats selectbox values in this thread (see the People test)
    at = app.switch_page(page).run()
    assert not at.exception
    assert shown(at.title[0].value) == title
    assert untranslated(visible(at)) == []
    if page.endswith("audit.py"):
        columns = list(at.dataframe[0].value.columns)
        assert "Cuándo" in columns and "When" not in columns
