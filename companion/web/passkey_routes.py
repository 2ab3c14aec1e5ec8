"""The passkey page and its JSON calls (served beside Streamlit by `st.App`, see routes.py).

A passkey ceremony needs page JavaScript (`navigator.credentials`), which a Streamlit page
cannot run under the app's policy (no inline script). So it happens on a small page of our
own: `GET /passkey/?do=sign-in|register|second-factor`, whose one script is a file served by
`GET /passkey/passkey.js`. The script asks `POST /passkey/options` for the ceremony's options,
lets the phone make or use the passkey (fingerprint, face or PIN), and sends the answer to
`POST /passkey/verify`. The rules are companion/passkeys.py's; here:

- Who is signed in (to register, or for the second step) is read from the login library's
  re-login cookie with the same checks the app's sign-in gate makes (`auth.standing_cookie`:
  signature, lifetime, revocation, idle, a standing session). To add a passkey the sign-in
  must be complete: password changed, privacy notice read, and the second factor passed
  where the account has one (the cookie issued after it), so a password alone never adds one.
- A passkey sign-in ends exactly as a password sign-in does: a new `UserSession`, and a
  re-login cookie in the library's own format bound to it (`auth.issue_cookie`), so the app's
  revocation, lifetime and idle rules hold unchanged. The cookie is set by this response
  (SameSite=Strict, Secure over HTTPS, not HttpOnly: the library signs out by deleting it from
  the page, as it does its own), and the page then opens the app, whose gate reads it.
- Passed as a second factor, the session's cookie is issued again and trusted for the second
  step (`auth.trust_cookie`), as after a code. A passkey sign-in (user verification: the phone's
  lock, plus the phone itself) counts as both steps for a client who also has codes on.
- POSTs must come from the app's own origin (the Origin header, one of the relying party's
  origins) with a JSON body; each address may make `PER_ADDRESS` calls per 10 minutes.
- `next=` (register only): where a passkey added from the sign-in's "Add a passkey" step (staff
  under the clinic's rule) goes back to, an app page name and its query only (never another
  site or path). `lang=` (and `lang` in the JSON bodies): the page, its script's words and its
  replies in the app's language; English without it.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from companion import auth, i18n, mfa, notice, passkeys
from companion.actors import Actor
from companion.core.config import get_settings
from companion.core.errors import CompanionError
from companion.i18n import N_
from companion.models import User
from companion.web.routes import RateLimit, client_address

STATIC = Path(__file__).parent / "static"
SCRIPT = "passkey.js"
MODES = {"sign-in": passkeys.SIGN_IN, "register": passkeys.REGISTER,
         "second-factor": passkeys.SECOND_FACTOR}
MAX_BODY = 70_000
SIGN_IN_AGAIN = N_("Please sign in to the app again, then come back here.")
OPEN_FROM_APP = N_("Please open this page from the app.")
TOO_MANY = N_("Too many tries. Please wait a few minutes.")
UNREADABLE = N_("That request could not be read.")
ANSWER_UNREADABLE = N_("That passkey answer could not be read.")
ADDED = N_("Passkey added. Next time, sign in with it.")
SIGNED_IN = N_("Signed in. Opening your pages…")


PER_ADDRESS = RateLimit(limit=40, window=600)

_TEXT = {
    "sign-in": (N_("Sign in with a passkey"),
                N_("Use this phone's fingerprint, face or screen lock to sign in."),
                N_("Sign in with a passkey"), N_("Sign in with your password instead")),
    "register": (N_("Add a passkey"),
                 N_("Next time, sign in with this phone's fingerprint, face or screen lock "
                    "instead of your password. Your password keeps working."),
                 N_("Add a passkey on this phone"), N_("Back to My account")),
    "second-factor": (N_("Two-step sign-in with a passkey"),
                      N_("Confirm it's you with this phone's fingerprint, face or screen "
                         "lock."),
                      N_("Use my passkey"), N_("Use a code instead")),
    # From the sign-in's "Add a passkey" step (staff, under the clinic's rule).
    "register-required": (N_("Add a passkey"),
                          N_("Your clinic asks staff to sign in with a passkey. Add one with "
                             "this device's fingerprint, face or screen lock; then your pages "
                             "open."),
                          N_("Add a passkey on this device"), N_("Back")),
}
# What the page's script says as it goes (passkey.js reads them from the page).
_WORDS = {
    "checking": N_("Checking…"), "done": N_("Done."),
    "follow": N_("Follow your phone's prompt…"), "confirm": N_("Confirm it's you on your phone…"),
    "failed": N_("That didn't work. Please try again."),
    "closed": N_("Nothing was changed: the passkey prompt was closed or timed out."),
    "already": N_("This phone already has a passkey for your account."),
    "unsupported": N_("This browser can't use passkeys. Please use your password."),
}
_BACK = {"sign-in": "../", "register": "../account", "second-factor": "../"}
# Where a passkey added from a step of the sign-in goes back to (`next`): an app page name
# and its query, relative to the app's root (never another site or path).
_NEXT = re.compile(r"[a-z0-9_]{0,64}(\?[A-Za-z0-9_.~%&=+-]{0,500})?")


def _next(request: Request, mode: str) -> str | None:
    value = request.query_params.get("next")
    if mode != "register" or value is None or not _NEXT.fullmatch(value):
        return None
    return "../" + value


def _language(value: object) -> str:
    """The page's language: the app's links say it (`lang=`, the account's or the sign-in
    page's language); English otherwise."""
    return i18n.normalise(value) or i18n.DEFAULT


def _words(language: str):
    return i18n.translations(language).gettext


_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title} · IOP Companion</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       padding: 1.5rem 1rem; color: #1f2933; background: #fff; }}
main {{ max-width: 30rem; margin: 0 auto; }}
h1 {{ font-size: 1.5rem; margin: 0 0 .75rem; }}
p {{ line-height: 1.5; }}
label {{ display: block; margin: 1rem 0 .25rem; font-weight: 600; }}
input {{ width: 100%; box-sizing: border-box; font-size: 1rem; padding: .75rem;
        border: 1px solid #9aa5b1; border-radius: .5rem; }}
button {{ width: 100%; min-height: 3rem; margin-top: 1rem; font-size: 1.05rem;
         border: 0; border-radius: .5rem; background: #2f6f4f; color: #fff; }}
button[disabled] {{ opacity: .6; }}
#status {{ min-height: 1.5rem; margin-top: 1rem; }}
#status.error {{ color: #9b1c1c; }}
a {{ display: inline-block; margin-top: 1.25rem; color: #2f6f4f; padding: .5rem 0; }}
</style>
<script src="passkey.js" defer></script>
</head><body><main id="passkey" data-mode="{mode}" data-back="{back}" data-next="{next}"
 data-lang="{lang}" data-words="{words}">
<h1>🌿 {title}</h1>
<p>{intro}</p>
{field}
<button id="go" type="button">{button}</button>
<p id="status" role="status" aria-live="polite"></p>
<a href="{back}">{back_text}</a>
</main></body></html>
"""


USERNAME = N_("Username")
PASSKEY_NAME = N_("A name for this passkey")
THIS_PHONE = N_("This phone")  # the name a new passkey is given unless another is typed


def _field(mode: str, t) -> str:
    if mode == "sign-in":  # conditional UI: the browser offers the phone's passkeys here
        return (f'<label for="name">{html.escape(t(USERNAME))}</label>'
                '<input id="name" name="username" autocomplete="username webauthn" '
                'autocapitalize="none" spellcheck="false">')
    if mode == "register":
        return (f'<label for="label">{html.escape(t(PASSKEY_NAME))}</label>'
                '<input id="label" name="label" maxlength="80" '
                f'value="{html.escape(t(THIS_PHONE))}">')
    return ""


def page_endpoint(request: Request) -> Response:
    """GET /passkey/: the page for one ceremony (no user data in it)."""
    mode = request.query_params.get("do", "sign-in")
    if mode not in MODES:
        mode = "sign-in"
    back = _next(request, mode)  # from the sign-in's "Add a passkey" step: back there
    language = _language(request.query_params.get("lang"))
    t = _words(language)
    title, intro, button, back_text = (t(text) for text in
                                       _TEXT["register-required" if back else mode])
    words = json.dumps({key: t(text) for key, text in _WORDS.items()}, ensure_ascii=False)
    body = _PAGE.format(title=html.escape(title), intro=html.escape(intro),
                        button=html.escape(button), back_text=html.escape(back_text),
                        mode=mode, back=html.escape(back or _BACK[mode]),
                        next=html.escape(back or ""), field=_field(mode, t), lang=language,
                        words=html.escape(words))
    return Response(body, media_type="text/html; charset=utf-8",
                    headers={"X-Robots-Tag": "noindex"})


def script_endpoint(request: Request) -> Response:
    """GET /passkey/passkey.js: the page's one script, a file (the policy runs no inline)."""
    return Response((STATIC / SCRIPT).read_bytes(), media_type="text/javascript")


def _error(message: str, status: int = 400) -> JSONResponse:
    """A refusal, in the page's language (`_post` sets it; the messages are catalogued where
    they are defined)."""
    return JSONResponse({"ok": False, "message": i18n.gettext(message)}, status)


def _same_origin(request: Request) -> bool:
    origin = (request.headers.get("origin") or "").rstrip("/")
    return origin in passkeys.relying_party().origins


async def _body(request: Request) -> dict | None:
    if not request.headers.get("content-type", "").startswith("application/json"):
        return None
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _signed_in(session, request: Request, *, complete: bool):
    """(user, session row, token) of the browser's standing sign-in, or None. `complete`:
    also past every sign-in step, the second factor included."""
    settings = get_settings()
    token = auth.read_cookie(request.cookies.get(settings.cookie_name), settings)
    standing = token and auth.standing_cookie(session, token, settings)
    if not standing:
        return None
    user, row = standing
    if complete and (user.must_change_password or notice.needed(user) or (
            mfa.required(user) and not auth.cookie_passed_second_factor(user, token))):
        return None
    return user, row, token


def _actor(user: User, row, token: dict) -> Actor:
    issued = float(token["exp_date"]) - get_settings().cookie_lifetime_hours * 3600
    return Actor.of(user, signed_in_at=issued, session_id=row.id)


def _options(mode: str, request: Request) -> JSONResponse:
    from companion.core.db import session_scope

    with session_scope() as session:
        if mode == passkeys.SIGN_IN:
            ceremony = passkeys.begin_sign_in(session)
        else:
            signed_in = _signed_in(session, request, complete=mode == passkeys.REGISTER)
            if signed_in is None:
                return _error(SIGN_IN_AGAIN, 401)
            user, row, token = signed_in
            if mode == passkeys.REGISTER:
                ceremony = passkeys.begin_registration(session, _actor(user, row, token))
            else:
                ceremony = passkeys.begin_second_factor(session, user.id, row.id)
    return JSONResponse({"ok": True, "handle": ceremony.handle, "options": ceremony.options})


def _set_cookie(response: Response, value: str, expires: float) -> None:
    settings = get_settings()
    secure = all(o.startswith("https://") for o in passkeys.relying_party().origins)
    response.set_cookie(settings.cookie_name, value, expires=int(expires), path="/",
                        secure=secure, httponly=False, samesite="strict")


def _verify(mode: str, data: dict, request: Request) -> JSONResponse:
    from companion.core.db import session_scope

    handle, answer = data.get("handle"), data.get("credential")
    if not isinstance(answer, (dict, str)):
        return _error(ANSWER_UNREADABLE)
    with session_scope() as session:
        if mode == passkeys.REGISTER:
            signed_in = _signed_in(session, request, complete=True)
            if signed_in is None:
                return _error(SIGN_IN_AGAIN, 401)
            user, row, token = signed_in
            passkeys.finish_registration(session, _actor(user, row, token), handle, answer,
                                         str(data.get("label") or ""))
            return JSONResponse({"ok": True, "next": _BACK["register"],
                                 "message": i18n.gettext(ADDED)})
        if mode == passkeys.SIGN_IN:
            result = passkeys.finish_sign_in(session, handle, answer)
            if result.outcome is not auth.Outcome.OK:
                return _error(result.message)
            user = result.user
            auth.mark_seen(session, user)
            session_id = auth.start_session(session, user)
        else:
            signed_in = _signed_in(session, request, complete=False)
            if signed_in is None:
                return _error(SIGN_IN_AGAIN, 401)
            user, row, _token = signed_in
            result = passkeys.finish_second_factor(session, user.id, row.id, handle, answer)
            if result.outcome is not auth.Outcome.OK:
                return _error(result.message)
            session_id = row.id
        value, expires = auth.issue_cookie(session, user, session_id)
        auth.trust_cookie(session, user.id, expires)
    response = JSONResponse({"ok": True, "next": "../", "message": i18n.gettext(SIGNED_IN)})
    _set_cookie(response, value, expires)
    return response


async def _post(request: Request, work) -> Response:
    i18n.use(i18n.from_accept_language(request.headers.get("accept-language")))
    try:
        if not _same_origin(request):
            return _error(OPEN_FROM_APP, 403)
        if not PER_ADDRESS.allow(client_address(request)):
            return _error(TOO_MANY, 429)
        data = await _body(request)
        i18n.use(_language((data or {}).get("lang")))  # the page's own language from here
        mode = MODES.get(str((data or {}).get("do")))
        if data is None or mode is None:
            return _error(UNREADABLE)
        try:
            return await run_in_threadpool(work, mode, data, request)
        except CompanionError as exc:
            return _error(str(exc))
    finally:
        i18n.forget()


async def options_endpoint(request: Request) -> Response:
    """POST /passkey/options {do}: a new ceremony's handle and options."""
    return await _post(request, lambda mode, _data, req: _options(mode, req))


async def verify_endpoint(request: Request) -> Response:
    """POST /passkey/verify {do, handle, credential[, label]}: finish it."""
    return await _post(request, _verify)


def passkey_routes() -> list[BaseRoute]:
    return [Route("/passkey/", page_endpoint, methods=["GET", "HEAD"]),
            Route("/passkey/" + SCRIPT, script_endpoint, methods=["GET", "HEAD"]),
            Route("/passkey/options", options_endpoint, methods=["POST"]),
            Route("/passkey/verify", verify_endpoint, methods=["POST"])]

