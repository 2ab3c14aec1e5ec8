"""No user-entered text may reach raw HTML: the app uses none of the raw-HTML doors at all."""
import ast
from pathlib import Path

from companion.core.config import ROOT

SOURCES = [ROOT / "app.py", ROOT / "router.py", *sorted((ROOT / "pages").rglob("*.py")),
           *sorted((ROOT / "companion").rglob("*.py"))]


def raw_html_uses(source: str) -> list[str]:
    """Calls that render raw HTML: unsafe_allow_html=True, st.html, components.html/iframe."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in {"html", "iframe"}:
            found.append(f"line {node.lineno}: {name}()")
        for kw in node.keywords:
            if kw.arg == "unsafe_allow_html" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append(f"line {node.lineno}: unsafe_allow_html")
    return found


def test_the_detector_finds_each_door():
    planted = ("import streamlit as st\nimport streamlit.components.v1 as components\n"
               "st.markdown(note, unsafe_allow_html=True)\nst.html(note)\n"
               "components.html(note)\nst.write(x, unsafe_allow_html=flag)\n")
    assert len(raw_html_uses(planted)) == 4


def test_no_source_file_renders_raw_html():
    offenders = {str(p.relative_to(ROOT)): uses for p in SOURCES
                 if (uses := raw_html_uses(p.read_text()))}
    assert offenders == {}
