"""Drawing a flag: its tier by icon and word as well as colour (never colour alone), what
rule raised it and why, and when. One helper, so every page shows tiers the same way."""
from __future__ import annotations

from companion import flags
from companion.core.timeutil import show
from companion.models import Flag
from companion.ui.text import clinic_markdown, markdown_text


def tier_badge_markdown(flag: Flag) -> str:
    """Markdown such as ':red[🚨 **Urgent**]' (the tier's icon, word and colour: defined in
    companion/flags.py, never typed by a user)."""
    tier = flags.tier_of(flag)
    return clinic_markdown(f":{tier.colour}[{tier.icon} **{tier.word}**]")


def flag_markdown(flag: Flag, name: str | None = None) -> str:
    """Badge · (client) — rule, then why and when. Stored text goes through `markdown_text`."""
    who = f" · **{markdown_text(name)}** —" if name else " ·"
    return (f"{tier_badge_markdown(flag)}{who} {markdown_text(flags.label_of(flag))}  \n"
            f"{markdown_text(flag.reason)} · {show(flag.raised_at)}")
