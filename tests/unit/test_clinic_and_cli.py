"""The clinic file and the operator's commands."""
import pytest

from companion import cli
from companion.clinic import get_clinic

PW = "seven lanterns over the bay"


def test_clinic_file_has_the_required_crisis_resources():
    clinic = get_clinic()
    links = {r.tel_link for r in clinic.crisis_resources} | {
        r.sms_link for r in clinic.crisis_resources}
    assert {"tel:988", "sms:988", "tel:911", "tel:18006624357", "tel:18007154225",
            "sms:741741?&body=HOME"} <= links
    assert {t.key for t in clinic.tracks} == {"morning", "evening"}
    assert "telehealth" in {loc.key for loc in clinic.locations} and len(clinic.locations) == 3
    assert len(clinic.substances) >= 5 and len(clinic.triggers) >= 10 and len(clinic.coping) >= 8


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out.strip(), out.err.strip()


def test_cli_journey_is_idempotent(db_url, capsys):
    code, out, _ = run(capsys, "create-user", "boss", "--name", "The Boss", "--role", "admin")
    assert code == 0 and "One-time password" in out
    assert run(capsys, "create-user", "boss", "--role", "admin")[1].endswith("nothing changed.")
    assert run(capsys, "create-user", "thera", "--role", "therapist")[0] == 0
    code, out, _ = run(capsys, "create-user", "cli-client", "--therapist", "thera", "--track",
                       "morning", "--location", "north")
    assert code == 0
    assert run(capsys, "assign", "cli-client", "--track", "evening")[0] == 0
    assert run(capsys, "discharge", "cli-client")[1] == "cli-client is now alumni."
    assert run(capsys, "discharge", "cli-client")[0] == 0
    assert "One-time password" in run(capsys, "reset-password", "cli-client")[1]


@pytest.mark.parametrize("argv,message", [
    (["assign", "ghost", "--track", "evening"], "No active admin"),
    (["create-user", "x", "--role", "client"], "No active admin"),
    (["demo", "--password", "short"], "at least 15"),
])
def test_cli_bad_input_is_one_clear_line(db_url, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_cli_unknown_user_and_bad_track(db_url, capsys):
    run(capsys, "create-user", "boss", "--role", "admin")
    code, _, err = run(capsys, "assign", "ghost", "--track", "evening")
    assert code == 2 and "No account named 'ghost'" in err
    run(capsys, "create-user", "thera", "--role", "therapist")
    code, _, err = run(capsys, "create-user", "client-one", "--therapist", "thera", "--track", "noon",
                       "--location", "north")
    assert code == 2 and "Unknown track" in err


def test_cli_demo_prints_the_shared_password(db_url, capsys):
    code, out, _ = run(capsys, "demo", "--password", PW)
    assert code == 0 and f"Shared password: {PW}\n" in out and "demo-alum2" in out
    assert "authenticator app" in out
