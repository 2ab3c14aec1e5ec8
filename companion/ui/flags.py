"""Drawing a flag: its tier by icon and word as well as colour (never colour alone), what
rule raised it and why, and when. One helper, so every page shows tiers the same way."""
from __future__ import annotations

from companion import flags
from companion.core.timeutil import show
from companion.models import Flag
from companion.ui.text import plain


def tier_badge(flag: Flag) -> str:
    """Markdown such as ':red[🚨 **Urgent**]' (the tier's icon, word and colour)."""
    tier = flags.tier_of(flag)
    return f":{tier.colour}[{tier.icon} **{tier.word}**]"


def flag_markdown(flag: Flag, name: str | None = None) -> str:
    """Badge · (client) — rule, then why and when. Stored text goes through `plain`."""
    who = f" · **{plain(name)}** —" if name else " ·"
    return (f"{tier_badge(flag)}{who} {plain(flags.label_of(flag))}  \n"
            f"{plain(flag.reason)} · {show(flag.raised_at)}")
