"""The one-page welcome sheet an admin hands a new (or reset) account holder: printed, or
read aloud to a telehealth client. Made on the server with fpdf2 (companion/pdf.py's setup);
every string is drawn through `pdf_text`. It is written in the account holder's language
(issue #20): a Spanish-reading client's sheet is in Spanish, whoever prints it."""
from __future__ import annotations

from urllib.parse import urlsplit

from companion.clinic import get_clinic
from companion.i18n import N_, _, gettext
from companion.models import CLIENT_ROLES, Role
from companion.pdf import _Doc, crisis_block, in_language

# Marked here, translated when the sheet is made (in the account holder's language).
WHAT_TO_EXPECT = {
    "client": (
        N_("Open the address above on your phone or computer and sign in with your username "
           "and this one-time password. You will choose your own password straight away; "
           "the one-time password stops working then."),
        N_("You will be asked to read a short privacy notice. Your records are protected by "
           "federal confidentiality law (42 CFR Part 2)."),
        N_("Between groups you can log how you feel and any cravings, practise skills, see "
           "your group times, keep a safety plan and build your aftercare plan."),
        N_("The app does not replace your care team. Bring questions to group or to your "
           "therapist, and if you are in crisis use the lines below at any time."),
    ),
    "staff": (
        N_("Open the address above and sign in with your username and this one-time "
           "password. You will choose your own password straight away; the one-time "
           "password stops working then."),
        N_("Staff accounts set up two-step sign-in with an authenticator app at first "
           "sign-in."),
        N_("Every time you open a client's record it is written to the audit trail."),
    ),
}


def app_address(page_url: str | None, base_path: str = "") -> str:
    """The app's own address (scheme, host and base path) from the page the admin is on."""
    parts = urlsplit(page_url or "")
    prefix = base_path.strip("/")
    path = "/" + prefix if prefix else "/"
    if not parts.netloc:
        return path
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    return f"{scheme}://{parts.netloc}{path}"


def welcome_sheet_pdf(display_name: str, username: str, temporary_password: str,
                      address: str, role: Role | str = Role.CLIENT, *,
                      reset: bool = False, language: str | None = None) -> bytes:
    """One Letter page: clinic, address, username, one-time password, what to expect and the
    crisis lines, in `language` (the account's; default: this run's)."""
    with in_language(language):
        clinic = get_clinic()
        doc = _Doc(_("Welcome sheet"))
        doc.heading(_("Welcome to {clinic}").format(clinic=clinic.name), 16)
        private = (_("Your password was reset. This sheet is for {name}. Keep it private: it "
                     "opens your account.") if reset else
                   _("This sheet is for {name}. Keep it private: it opens your account."))
        doc.para(private.format(name=display_name))
        doc.heading(_("How to sign in"), 12)
        doc.para(_("App address: {address}").format(address=address))
        doc.para(_("Username: {username}").format(username=username))
        doc.para(_("One-time password: {password}").format(password=temporary_password), 14)
        if clinic.phone:
            doc.para(_("Questions about signing in? Call the clinic: {phone}.").format(
                phone=clinic.phone), 9.5)
        doc.heading(_("What to expect"), 12)
        kind = "client" if Role(role) in CLIENT_ROLES else "staff"
        doc.para("\n".join(f"• {gettext(line)}" for line in WHAT_TO_EXPECT[kind]), 10)
        crisis_block(doc)
        return bytes(doc.output())
