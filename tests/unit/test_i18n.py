"""Languages (issue #20): the per-run language, Accept-Language, Babel's formats, and the
language of an account set only by its holder (or an admin, for a client)."""
from datetime import date, datetime, timezone

import pytest

from companion import i18n, people
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import User
from tests.conftest import actor


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.forget()


def test_english_is_the_default_and_needs_no_catalog():
    assert i18n.current() == "en"
    assert i18n._("Home") == "Home"
    assert i18n.ngettext("{n} day", "{n} days", 2) == "{n} days"


def test_spanish_translates_and_plurals_by_count():
    i18n.use("es")
    assert i18n._("Home") == "Inicio"
    one = "You have {count} craving to follow up: how strong is it now?"
    many = "You have {count} cravings to follow up: how strong are they now?"
    assert "momento de" in i18n.ngettext(one, many, 1)
    assert "momentos de" in i18n.ngettext(one, many, 3)
    assert i18n._("No such message here") == "No such message here"  # falls back to English


@pytest.mark.parametrize("header, expected", [
    ("es-MX,es;q=0.9,en;q=0.8", "es"), ("en-US,en;q=0.9,es;q=0.8", "en"),
    ("fr-FR,es;q=0.5,en;q=0.4", "es"), ("fr-FR", None), ("", None), (None, None),
    ("en;q=0.2,es;q=0.9", "es"), ("es;q=0", None)])
def test_accept_language_picks_the_first_offered_language(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_dates_times_weekdays_in_the_clinics_zone():
    moment = datetime(2026, 3, 3, 21, 5, tzinfo=timezone.utc)  # 4:05 PM in New York
    assert i18n.format_time(moment, "en") == "4:05 PM"
    assert i18n.format_time(moment, "es") == "4:05\u202fp.m."
    assert i18n.format_moment(moment, "en") == "Tue Mar 3, 4:05 PM"  # as the app always said
    assert i18n.format_moment(moment, "es").startswith("mar, 3 de mar")
    assert i18n.weekday_name(date(2026, 3, 3), "es") == "martes"
    assert i18n.format_day(date(2026, 3, 3), "es") == "martes, 3 de marzo de 2026"
    assert i18n.format_list(["a", "b", "c"], "es") == "a, b y c"
    assert i18n.format_list(["a", "b", "c"], "en") == "a, b and c"


def test_a_person_sets_their_own_language(session, users):
    client = users.client(users.therapist())
    session.commit()
    people.set_language(session, actor(client), client.id, "es")
    session.commit()
    assert session.get(User, client.id).language == "es"


def test_a_new_account_speaks_english(session, users):
    assert users.therapist().language == "en"


def test_nobody_sets_another_persons_language(session, users):
    therapist = users.therapist()
    one, other = users.client(therapist), users.client(therapist)
    session.commit()
    for who, whom in ((one, other), (therapist, one), (one, therapist)):
        with pytest.raises(AccessDenied):
            people.set_language(session, actor(who), whom.id, "es")
        session.rollback()
    assert session.get(User, other.id).language == "en"


def test_an_admin_sets_a_clients_starting_language_but_not_staffs(session, users):
    admin, therapist = users.admin(), users.therapist()
    client = users.client(therapist)
    session.commit()
    people.set_language(session, actor(admin), client.id, "es")
    session.commit()
    assert session.get(User, client.id).language == "es"
    with pytest.raises(AccessDenied):
        people.set_language(session, actor(admin), therapist.id, "es")


@pytest.mark.parametrize("code", ["fr", "ES", "es-MX", "", "english"])
def test_only_an_offered_language_code_is_kept(session, users, code):
    client = users.client(users.therapist())
    session.commit()
    with pytest.raises(InvalidInput):
        people.set_language(session, actor(client), client.id, code)


def test_an_admin_enrols_a_client_in_spanish(session, users):
    admin, therapist = users.admin(), users.therapist()
    session.commit()
    new = people.create_user(session, actor(admin), "maria.r", "María R", "client",
                             therapist_id=therapist.id, track="morning", location="north",
                             language="es")
    assert new.user.language == "es"
    with pytest.raises(InvalidInput):  # staff choose their own
        people.create_user(session, actor(admin), "sam.t", "Sam T", "therapist", language="es")
    with pytest.raises(InvalidInput):
        people.create_user(session, actor(admin), "ana.q", "Ana Q", "client",
                           therapist_id=therapist.id, track="morning", location="north",
                           language="fr")
