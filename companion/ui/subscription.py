"""The calendar subscription panel (Groups page): make a private feed address, see it once
with a QR code, a copy button and an "add to my phone's calendar" link, how-tos for iPhone and
Android, the last fetch, the client's choices, a new address or stop (issue 17)."""
from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import urlsplit

import streamlit as st

from companion import calendar_feed
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.timeutil import utcnow
from companion.i18n import _, ngettext
from companion.models import Role
from companion.ui.text import markdown_text, number_text

JUST_MADE = "_calendar_feed_token"   # shown once: only in the browser session that made it


def feed_urls(token: str, page_url: str | None = None) -> tuple[str, str]:
    """(https… address, webcal:// form of it) for the server the browser is on."""
    from streamlit import config

    parts = urlsplit(page_url if page_url is not None else (st.context.url or ""))
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    prefix = (config.get_option("server.baseUrlPath") or "").strip("/")
    path = ("/" + prefix if prefix else "") + calendar_feed.feed_path(token)
    if not parts.netloc:   # no page address known (a script test): the path alone
        return path, path
    url = f"{scheme}://{parts.netloc}{path}"
    return url, "webcal://" + url.split("://", 1)[1]


def iphone_steps_markdown() -> str:
    return _("1. Tap **Add to my phone's calendar** above (or scan the code with the "
             "camera).\n2. Tap **Subscribe**, then **Add**.\n3. Optional: Settings → "
             "Calendar → Accounts → Subscribed Calendars → *Fetch* → every 15 minutes.")


def android_steps_markdown() -> str:
    return _("**Google Calendar:** on a computer, open calendar.google.com → *Other "
             "calendars* **+** → *From URL*, paste the address, *Add calendar*. Google then "
             "fetches it for your phone (a few times a day).\n\n**Straight on the phone:** "
             "a subscription app such as ICSx⁵ (free) opens the *Add* link above, or paste "
             "the address into it.")


def qr_png(text: str) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def ago(moment: datetime, now: datetime | None = None) -> str:
    minutes = int(((now or utcnow()) - moment).total_seconds() // 60)
    if minutes < 1:
        return _("just now")
    if minutes < 60:
        return ngettext("{n} minute ago", "{n} minutes ago", minutes).format(n=minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("{n} hour ago", "{n} hours ago", hours).format(n=hours)
    return ngettext("{n} day ago", "{n} days ago", hours // 24).format(n=hours // 24)


def _make(actor: Actor) -> None:
    with session_scope() as session:
        st.session_state[JUST_MADE] = calendar_feed.subscribe(session, actor)


def _stop(actor: Actor) -> None:
    with session_scope() as session:
        calendar_feed.revoke(session, actor)
    st.session_state.pop(JUST_MADE, None)
    st.session_state["_calendar_feed_note"] = _("Subscription stopped: your calendar gets no "
                                                 "more updates. You can remove it there.")


def _save_choices(actor: Actor) -> None:
    with session_scope() as session:
        calendar_feed.set_choices(session, actor,
                                  show_site=st.session_state["feed-show-site"],
                                  skip_not_going=st.session_state["feed-skip"])


def _show_address(token: str) -> None:
    url, webcal = feed_urls(token)
    with st.container(border=True, key="calendar-feed-address"):
        st.success(_("Your private calendar address is ready. It is shown only now: add it "
                     "to your phone, then tap Done. Anyone with it can see your group times, "
                     "so keep it to yourself (you can always make a new one)."))
        st.image(qr_png(url), caption=_("Scan with your phone's camera"), width=220,
                 alt=_("QR code of your private calendar address"))
        st.caption(_("Your address (tap the copy icon):"))
        st.code(url, language=None, wrap_lines=True)
        st.link_button(_("Add to my phone's calendar"), webcal, width="stretch",
                       type="primary")
        with st.expander(_("iPhone or iPad: how to")):
            st.markdown(iphone_steps_markdown())
        with st.expander(_("Android: how to")):
            st.markdown(android_steps_markdown())
        st.button(_("Done"), key="feed-done", width="stretch",
                  on_click=lambda: st.session_state.pop(JUST_MADE, None))


def subscription_panel(actor: Actor) -> None:
    """Everything about my calendar subscription."""
    with session_scope() as session:
        status = calendar_feed.status(session, actor)
    if note := st.session_state.pop("_calendar_feed_note", None):
        st.info(markdown_text(note))
    token = st.session_state.get(JUST_MADE)
    if token and status.active:
        _show_address(token)
    if not status.active:
        st.caption(_("Subscribe once and your phone's calendar keeps itself up to date: "
                     "every move, cancellation and answer you give here reaches it, with "
                     "reminders the day before and an hour before. Titles just say "
                     "“Appointment”."))
        st.button(_("📅 Subscribe my phone's calendar"), key="feed-make", type="primary",
                  width="stretch", on_click=_make, args=(actor,))
        return
    if status.last_fetched_at is not None:
        st.markdown(ngettext("✅ Your calendar last updated {ago} ({count} update so far).",
                             "✅ Your calendar last updated {ago} ({count} updates so far).",
                             status.fetch_count).format(
            ago=markdown_text(ago(status.last_fetched_at)),
            count=number_text(status.fetch_count)))
    else:
        st.caption(_("Your calendar hasn't picked up the address yet. Once it does, you'll "
                     "see when it last updated here."))
    if actor.role == Role.CLIENT:
        st.toggle(_("Show the site's name in my calendar"), value=status.show_site,
                  key="feed-show-site", on_change=_save_choices, args=(actor,))
        st.toggle(_("Leave out sessions I said I can't make"), value=status.skip_not_going,
                  key="feed-skip", on_change=_save_choices, args=(actor,),
                  help=_("Otherwise they stay, marked “not going”, without reminders."))
    cols = st.columns(2)
    cols[0].button(_("New address"), key="feed-new", width="stretch", on_click=_make,
                   args=(actor,), help=_("The old address stops working."))
    cols[1].button(_("Stop subscription"), key="feed-stop", width="stretch", on_click=_stop,
                   args=(actor,))
