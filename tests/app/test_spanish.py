"""Spanish on screen (issue #20): the sign-in page from ?lang=es, a Spanish client's Home,
check-in and crisis help, the choice on My account; English clients see what they always did."""
from datetime import time, timedelta

import pytest
from sqlmodel import select

from companion import groups, i18n, safety
from companion.actors import Actor
from companion.core.timeutil import clinic_today, to_clinic
from companion.i18n import format_time, weekday_name
from companion.models import (CheckIn, Craving, EntryTag, Flag, MeasureResponse, SafetyPlan,
                              User)
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


# --- Questionnaires, cravings, safety plan, groups and the calendar feed (issue #20) ---------

PHQ9_ES_ITEM9 = "Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera"


def _spanish_measures(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    return app.switch_page("pages/client/measures.py").run()


def _save_answers(at):
    next(b for b in at.button if shown(b.label) == "Guardar respuestas").click().run()


def test_a_spanish_client_answers_the_phq9_in_its_us_spanish_wording(app, users, session):
    at = _spanish_measures(app, users, session)
    assert shown(at.title[0].value) == "Cuestionarios"
    picker = at.selectbox[0]
    assert "Pendiente: Cuestionario de ánimo (PHQ-9)" in [shown(o) for o in picker.options]
    picker.set_value("phq9:").run()
    page = texts(at)
    assert ("Durante las últimas 2 semanas, ¿qué tan seguido ha tenido molestias debido a los "
            "siguientes problemas?") in page
    labels = _labels(at.radio)
    assert "1. Poco interés o placer en hacer cosas" in labels
    assert f"9. {PHQ9_ES_ITEM9}" in labels
    assert [shown(o) for o in at.radio[0].options] == [
        "Ningún día", "Varios días", "Más de la mitad de los días", "Casi todos los días"]
    for radio in at.radio:
        if not shown(radio.label).startswith("10."):
            radio.set_value("Varios días")
    _save_answers(at)
    page = texts(at)
    # item 9 above 0: the support, in Spanish, with the crisis lines
    assert "Gracias por contárnoslo." in page and "se comunicará contigo hoy" in page
    assert "No tienes que cargar con esto solo(a)" in page or "Comunícate con alguien ahora" in page
    assert {"tel:988", "tel:911"} <= set(links(at).values())
    assert "Thank you for telling us" not in page
    response = session.exec(select(MeasureResponse)).one()
    assert response.scores == {"total": 9}  # the same scoring in any language
    assert response.answers["9"] == 1
    assert session.exec(select(Flag)).one().rule == "self_harm"


def test_a_spanish_gad7_uses_the_publishers_wording_and_scores_the_same(app, users, session):
    at = _spanish_measures(app, users, session)
    at.selectbox[0].set_value("gad7:").run()
    assert "3. Se ha preocupado demasiado por motivos diferentes" in _labels(at.radio)
    next(r for r in at.radio if shown(r.label).startswith("1.")).set_value(
        "Casi todos los días")
    _save_answers(at)
    response = session.exec(select(MeasureResponse)).one()
    assert response.answers["1"] == 3 and response.scores == {"total": None}
    assert ("No se pudo calcular tu total del GAD-7 porque seis preguntas quedaron en blanco, "
            "y está bien.") in texts(at)


def test_the_bam_stays_english_with_a_spanish_note(app, users, session):
    at = _spanish_measures(app, users, session)
    at.selectbox[0].set_value("bam:30").run()
    page = texts(at)
    assert "Este cuestionario se muestra en inglés: no existe una versión validada" in page
    assert any(label.startswith("1. In the past 30 days") for label in _labels(at.radio))


def test_a_spanish_client_logs_a_quick_craving(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/cravings.py").run()
    assert shown(at.title[0].value) == "Ganas de consumir"
    assert "Todavía no hay nada anotado." in texts(at)
    at.pills(key="quick_level").set_value(7).run()
    page = texts(at)
    assert "Anotado. Notar las ganas ya es una habilidad." in page
    assert "🌊 Déjalas pasar: empieza el temporizador para surfear las ganas" in _labels(at.button)
    assert session.exec(select(Craving)).one().intensity == 7
    row = session.exec(select(Craving)).one()
    when = f"{weekday_name(to_clinic(row.at).date(), 'es', 'abbreviated')} {format_time(row.at, 'es')}"
    assert f"7/10** · {when} · todavía no lo sé" in page


def test_a_spanish_safety_plan_says_its_steps_and_errors_in_spanish(app, users, session):
    _spanish_client(users, session)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/safety_plan.py").run()
    page = texts(at)
    assert shown(at.title[0].value) == "Mi plan de seguridad"
    assert "Paso 4 · Personas a las que puedo pedir ayuda" in page
    assert page.count("Todavía sin guardar") == len(safety.STEPS)
    at.text_input(key="sp-help_people-0-name-0").input("Marta")
    at.text_input(key="sp-help_people-0-phone-0").input("12")
    at.button(key="FormSubmitter:sp-form-help_people-Guardar este paso").click().run()
    assert "«12» no parece un número de teléfono" in texts(at)
    assert session.exec(select(SafetyPlan)).first() is None
    at.text_input(key="sp-help_people-0-phone-0").input("404-555-0142")
    at.button(key="FormSubmitter:sp-form-help_people-Guardar este paso").click().run()
    assert "Guardado. Las versiones anteriores se conservan." in texts(at)
    plan = session.exec(select(SafetyPlan)).one()
    # stored as it always was (the English titles), whatever the reader's language
    assert plan.sections["help_people"] == [{"name": "Marta", "phone": "404-555-0142"}]


def _spanish_group(session, users, name="lucia"):
    client = _spanish_client(users, session, name)
    admin = users.admin(name="boss")
    lead = session.get(User, client.id)
    from companion.models import Enrolment
    therapist_id = session.get(Enrolment, client.id).therapist_id
    groups.schedule_series(session, Actor.of(admin), groups.SeriesInput(
        title="Morning process group", topic="Check-in round, then what came up this week.",
        track="morning", location="north", facilitator_id=therapist_id, capacity=10,
        first_day=clinic_today() + timedelta(days=1), start=time(10), end=time(11),
        weekdays=list(range(7))))
    session.commit()
    return lead


def test_a_spanish_client_answers_a_group_session(app, users, session):
    client = _spanish_group(session, users)
    sign_in(app, "lucia")
    at = app.switch_page("pages/client/groups.py").run()
    assert not at.exception
    page = texts(at)
    assert shown(at.title[0].value) == "Sesiones de grupo"
    assert "Grupo de proceso de la mañana" in page  # the demo's titles are in the catalog
    assert "Ronda de registro y luego lo que surgió esta semana." in page
    upcoming = groups.upcoming_for_client(session, Actor.of(client))[0].occurrence
    with i18n.speaking("es"):
        assert groups.when(upcoming) in page  # 'mié, 4 de mar, 10:00 a.m.–11:00 a.m.'
    assert "✅ Voy" in _labels(at.button) and "No puedo ir" in _labels(at.button)
    at.button(key=f"go-{upcoming.key}").click().run()
    assert "Nos vemos allí. 🌱" in texts(at)
    at.time_input(key="reminder-at").set_value(time(7, 45))
    at.button(key="reminder-save").click().run()
    assert "Recordatorio diario a las 7:45" in texts(at)


def test_the_calendar_feed_speaks_the_accounts_language(app, users, session):
    from icalendar import Calendar

    from companion import calendar_feed

    client = _spanish_group(session, users)
    groups.set_reminder(session, Actor.of(client), time(20, 0))
    token = calendar_feed.subscribe(session, Actor.of(client))
    session.commit()
    feed = Calendar.from_ical(calendar_feed.fetch(session, token).body)
    events = [c for c in feed.walk("VEVENT")]
    summaries = {str(e["SUMMARY"]) for e in events}
    assert summaries == {"Cita", "Registro diario"}  # discreet titles, in Spanish
    alarms = {str(a["DESCRIPTION"]) for a in feed.walk("VALARM")}
    assert {"Cita mañana", "Cita en 1 hora", "Es hora de tu registro diario"} <= alarms
    assert str(feed["X-WR-CALNAME"]) == "Citas"
    assert i18n.current() == "en"  # the caller's language is untouched
    client.language = "en"
    session.commit()
    english = Calendar.from_ical(calendar_feed.fetch(session, token).body)
    assert {str(e["SUMMARY"]) for e in english.walk("VEVENT")} == {"Appointment", "Check in"}


def test_a_spanish_one_session_calendar_file_has_spanish_titles(users, session):
    from icalendar import Calendar

    client = _spanish_group(session, users)
    occ = groups.upcoming_for_client(session, Actor.of(client))[0].occurrence
    with i18n.speaking("es"):
        body = groups.calendar_file(session, Actor.of(client), occ.key, discreet=False)
    event = next(iter(Calendar.from_ical(body).walk("VEVENT")))
    assert str(event["SUMMARY"]).startswith("Grupo de proceso de la mañana — ")
    assert "Ronda de registro" in str(event["DESCRIPTION"])
