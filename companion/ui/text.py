"""Showing what people typed: as plain text, never as markdown or HTML.

Streamlit renders markdown in most elements; a typed `![x](http://…)` would make the browser
fetch from another host, and `[link](…)` would disguise a link. `plain()` escapes every
markdown and shortcode character so user text shows exactly as typed.
"""
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def plain(text: object) -> str:
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")
