"""No user-entered text may reach raw HTML: the app uses none of the raw-HTML doors at all.

One narrow exception: `st.html(STYLESHEET)`, where STYLESHEET is a module constant naming one
of the app's own static .css files (Streamlit wraps a .css Path in <style> and draws it
outside the page). The file is code, checked below: no markup, nothing fetched from anywhere.
"""
import ast
import importlib
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
        if name == "html" and _own_stylesheet(node):
            continue
        if name in {"html", "iframe"}:
            found.append(f"line {node.lineno}: {name}()")
        for kw in node.keywords:
            if kw.arg == "unsafe_allow_html" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False):
                found.append(f"line {node.lineno}: unsafe_allow_html")
    return found


def _own_stylesheet(node: ast.Call) -> bool:
    """`st.html(STYLESHEET)`: one positional argument, the module's STYLESHEET constant."""
    return (len(node.args) == 1 and not node.keywords
            and isinstance(node.args[0], ast.Name) and node.args[0].id == "STYLESHEET")


# The modules that draw their own stylesheet with st.html(STYLESHEET).
STYLESHEET_MODULES = ["companion.ui.crisis", "companion.ui.style"]  # crisis control; phone.css


def test_each_own_stylesheet_is_a_static_css_file_of_the_app():
    users = {str(p.relative_to(ROOT)) for p in SOURCES if "html(STYLESHEET)" in p.read_text()}
    assert users == {m.replace(".", "/") + ".py" for m in STYLESHEET_MODULES}
    for name in STYLESHEET_MODULES:
        sheet = importlib.import_module(name).STYLESHEET
        assert isinstance(sheet, Path) and sheet.suffix == ".css"
        assert sheet.resolve().is_relative_to(ROOT / "companion")
        css = sheet.read_text()
        assert "<" not in css  # no markup: nothing can close the <style> it is drawn in
        assert "url(" not in css and "@import" not in css  # fetches nothing


def test_the_detector_finds_each_door():
    planted = ("import streamlit as st\nimport streamlit.components.v1 as components\n"
               "st.markdown(note, unsafe_allow_html=True)\nst.html(note)\n"
               "components.html(note)\nst.write(x, unsafe_allow_html=flag)\n"
               "st.html(STYLESHEET + note)\nst.html(STYLESHEET, width=1)\n")
    assert len(raw_html_uses(planted)) == 6


def test_no_source_file_renders_raw_html():
    offenders = {str(p.relative_to(ROOT)): uses for p in SOURCES
                 if (uses := raw_html_uses(p.read_text()))}
    assert offenders == {}


def test_each_style_door_takes_only_the_stylesheet_constant():
    for name in STYLESHEET_MODULES:
        tree = ast.parse((ROOT / (name.replace(".", "/") + ".py")).read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "attr", "") == "html"]
        assert len(calls) == 1, name
        (arg,) = calls[0].args
        assert isinstance(arg, ast.Name) and arg.id == "STYLESHEET" and not calls[0].keywords
