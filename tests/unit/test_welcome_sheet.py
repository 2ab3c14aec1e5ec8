"""The welcome sheet PDF: one page, what a new account holder needs, user text inert."""
from __future__ import annotations

import io

import pypdf

from companion.models import Role
from companion.welcome_sheet import app_address, welcome_sheet_pdf


def _words(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def test_client_sheet_holds_sign_in_expectations_and_crisis_lines():
    text = _words(welcome_sheet_pdf("Avery [x](http://e.test) **B**", "avery",
                                    "abcde-fghij-kmnop-qrstu", "https://iop.example/",
                                    Role.CLIENT))
    for part in ("Harbor Light IOP", "App address: https://iop.example/", "Username: avery",
                 "One-time password: abcde-fghij-kmnop-qrstu", "What to expect",
                 "privacy notice", "988", "911", "1-800-662-4357",
                 "Avery [x](http://e.test) **B**"):  # typed text printed as typed
        assert part in text


def test_staff_sheet_speaks_of_two_step_sign_in():
    text = _words(welcome_sheet_pdf("Dana", "dana", "x", "/", Role.THERAPIST, reset=True))
    assert "two-step sign-in" in text and "password was reset" in text
    assert "privacy notice" not in text


def test_app_address_is_the_root_of_the_server_the_admin_is_on():
    assert app_address("https://iop.example/people?x=1") == "https://iop.example/"
    assert app_address("http://localhost:8501/people", "/companion/") == \
        "http://localhost:8501/companion"
    assert app_address(None) == "/"
