"""Every road to the screen takes only text that cannot be markup (AST check of app.py, pages/
and companion/ui/).

Streamlit renders markdown in widget labels, options and tooltips as well as in st.markdown
(see companion/ui/text.py). So whatever a page or helper passes to one of those roads must be:
  - a string literal (or another constant);
  - a call to a text function (`markdown_text`, `label_text`, `number_text`, `clinic_markdown`,
    … see TEXT_FUNCTIONS), or to `show` (a datetime through a literal strftime format);
  - a gettext call on a literal (`_("…")`, `ngettext("…", "…", n)`), alone or with
    `.format(name=<allowed>)`: issue #20 wraps every literal so;
  - an f-string, `+` concatenation, `"…".format(…)` or `a if c else b` made only of these;
  - a local name every assignment of which is one of these, or an item of a module-level
    dict/list literal made of them (`WORDS[key]`, `WORDS.get(key, <allowed>)`);
  - a call to a builder function of these sources named `*_markdown` or `*_label` (plain-text
    roads: `*_option`) whose every `return` passes the same rule (checked too).
Selectbox/multiselect options are drawn as plain text, so their road takes `option_text` and
not the markdown functions (a backslash would show). Options given without `format_func` must
be literals. `st.dataframe` takes `table_text(…)`; `st.table` renders markdown in its cells and
is not used.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from companion.core.config import ROOT

SOURCES = [ROOT / "app.py", ROOT / "router.py", *sorted((ROOT / "pages").rglob("*.py")),
           *(p for p in sorted((ROOT / "companion" / "ui").rglob("*.py")) if p.name != "text.py")]

MARKDOWN_FUNCTIONS = {"markdown_text", "label_text", "number_text", "clinic_markdown", "show"}
OPTION_FUNCTIONS = {"option_text", "number_text", "show"}
TEXT_FUNCTIONS = MARKDOWN_FUNCTIONS | OPTION_FUNCTIONS
GETTEXT = {"_": 1, "gettext": 1, "ngettext": 2, "pgettext": 2, "npgettext": 3}  # literal args
BUILDER_SUFFIXES = {"markdown": ("_markdown", "_label"), "option": ("_option",)}

# Calls whose first positional argument (or `body=`) is a markdown body; st.write: every one.
BODY_CALLS = {"markdown", "caption", "info", "success", "warning", "error", "toast", "title",
              "header", "subheader", "write"}
# Calls whose first positional argument (or `label=`) is a label drawn as markdown.
LABEL_CALLS = {"button", "download_button", "form_submit_button", "link_button", "checkbox",
               "toggle", "radio", "selectbox", "multiselect", "select_slider", "slider",
               "text_input", "text_area", "number_input", "date_input", "time_input",
               "datetime_input", "color_picker", "file_uploader", "camera_input", "audio_input",
               "pills", "segmented_control", "expander", "popover", "status", "metric",
               "dialog", "spinner"}
LABEL_ONLY_BY_KEYWORD = {"page_link"}  # page_link(page, *, label=…)
MORE_MARKDOWN_ARGS = {"metric": (1, 2, "value", "delta"), "progress": (1, "text"),
                      "image": ("caption",), "tabs": ()}
MARKDOWN_OPTIONS = {"radio", "pills", "segmented_control", "select_slider"}
PLAIN_OPTIONS = {"selectbox", "multiselect"}
TABLES = {"dataframe", "data_editor"}
# Known, reviewed exceptions: (file, road, start of the expression) -> why.
WAIVED: dict[tuple[str, str, str], str] = {}
NOT_STREAMLIT = {"logging", "logger", "log", "str", "re", "os", "warnings", "self", "cls",
                 "session", "frame", "pd", "np", "datetime", "time", "json"}


@dataclass
class Module:
    tree: ast.Module
    parents: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)  # name -> [FunctionDef]

    @classmethod
    def parse(cls, source: str) -> "Module":
        tree = ast.parse(source)
        module = cls(tree)
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                module.parents[child] = node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                module.functions.setdefault(node.name, []).append(node)
        return module

    def scopes_of(self, node) -> list:
        """The functions and lambdas around `node`, innermost first, then the module."""
        scopes = []
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                scopes.append(node)
        return [*scopes, self.tree]


class Checker:
    """Finds text passed to a markdown or label road that could carry markup."""

    def __init__(self, module: Module, builders: dict[str, list]):
        self.m = module
        self.imported = {(a.asname or a.name).split(".")[0] for n in ast.walk(module.tree)
                         if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        self.builders = builders  # builder functions of every checked module, by name
        self.found: list[tuple[int, str, str, str]] = []  # line, what, source, road
        self._resolving: set = set()

    # --- the rule for one expression --------------------------------------------------------
    def allowed(self, node, road: str = "markdown") -> bool:
        """True if `node` can only be literal text or text-function results for `road`."""
        functions = MARKDOWN_FUNCTIONS if road == "markdown" else OPTION_FUNCTIONS
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.JoinedStr):
            return all(self.allowed(v.value, road) for v in node.values
                       if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.allowed(node.left, road) and self.allowed(node.right, road)
        if isinstance(node, ast.IfExp):
            return self.allowed(node.body, road) and self.allowed(node.orelse, road)
        if isinstance(node, ast.Call):
            return self._allowed_call(node, road, functions)
        if isinstance(node, ast.Name):
            return self._allowed_name(node, road)
        if isinstance(node, ast.Subscript):
            return self._static_item(node.value, road)
        return False

    def _allowed_call(self, node: ast.Call, road: str, functions: set[str]) -> bool:
        name = _name(node.func)
        if name in functions and (isinstance(node.func, ast.Name) or _name(node.func.value)
                                  == "text"):  # markdown_text(…) or text.markdown_text(…)
            return True
        if name in GETTEXT:
            literals = node.args[:GETTEXT[name]]
            return len(literals) == GETTEXT[name] and all(
                isinstance(a, ast.Constant) for a in literals)
        if name == "join" and isinstance(node.func, ast.Attribute) and len(node.args) == 1:
            parts = node.args[0]  # "sep".join(<allowed> for …) or "sep".join([<allowed>, …])
            items = ([parts.elt] if isinstance(parts, (ast.GeneratorExp, ast.ListComp))
                     else parts.elts if isinstance(parts, (ast.List, ast.Tuple)) else None)
            return (items is not None and self.allowed(node.func.value, road)
                    and all(self.allowed(i, road) for i in items))
        if name == "format" and isinstance(node.func, ast.Attribute):
            return (self.allowed(node.func.value, road)
                    and all(self.allowed(a, road) for a in node.args)
                    and all(self.allowed(k.value, road) for k in node.keywords))
        if name == "get" and isinstance(node.func, ast.Attribute):
            default = node.args[1:2] or [k.value for k in node.keywords if k.arg == "default"]
            return self._static_item(node.func.value, road) and all(
                self.allowed(d, road) for d in default)
        if isinstance(node.func, ast.Name) and name.endswith(BUILDER_SUFFIXES[road]):
            return self._builder_ok(name, road)
        return False

    def _builder_ok(self, name: str, road: str) -> bool:
        """A builder of this module passes if its returns do; one of another checked module
        is checked (and reported) there."""
        if name in self.m.functions:
            return self._builder_returns_ok(self.m.functions[name], road)
        return name in self.builders

    def _assignments(self, name: ast.Name) -> list | None:
        """Every value assigned to `name` in its scope (then the module); None if it is also
        bound another way (argument, loop, with, import)."""
        for scope in self.m.scopes_of(name):
            values, bound_otherwise = [], False
            for node in _walk_scope(scope):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id == name.id:
                            values.append(node.value)
                        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) \
                                and len(target.elts) == len(node.value.elts):  # a, b = x, y
                            values += [v for t, v in zip(target.elts, node.value.elts)
                                       if isinstance(t, ast.Name) and t.id == name.id]
                        elif _binds(target, name.id):
                            bound_otherwise = True
                elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(
                        node.target, ast.Name) and node.target.id == name.id:
                    if node.value is not None:
                        values.append(node.value)
                elif isinstance(node, (ast.For, ast.comprehension)) and _binds(node.target,
                                                                              name.id):
                    bound_otherwise = True
                elif isinstance(node, ast.withitem) and node.optional_vars is not None and \
                        _binds(node.optional_vars, name.id):
                    bound_otherwise = True
                elif isinstance(node, (ast.FunctionDef, ast.Lambda, ast.AsyncFunctionDef)):
                    args = node.args
                    every = [*args.posonlyargs, *args.args, *args.kwonlyargs,
                             *([args.vararg] if args.vararg else []),
                             *([args.kwarg] if args.kwarg else [])]
                    if node is scope and any(a.arg == name.id for a in every):
                        bound_otherwise = True
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    if any((a.asname or a.name).split(".")[0] == name.id for a in node.names):
                        bound_otherwise = True
            if bound_otherwise:
                return None
            if values:
                return values
        return None

    def _allowed_name(self, name: ast.Name, road: str) -> bool:
        key = (id(name), road)
        if key in self._resolving:
            return False
        self._resolving.add(key)
        try:
            values = self._assignments(name)
            return bool(values) and all(self.allowed(v, road) for v in values)
        finally:
            self._resolving.discard(key)

    def _static_item(self, container, road: str) -> bool:
        """`container` is a module-level (or local) dict/list literal of allowed values."""
        if not isinstance(container, ast.Name):
            return False
        values = self._assignments(container)
        if not values:
            return False
        for value in values:
            if isinstance(value, ast.Dict):
                items = [v for v in value.values]
            elif isinstance(value, ast.DictComp):
                items = [value.value]
            elif isinstance(value, (ast.List, ast.Tuple)):
                items = list(value.elts)
            else:
                return False
            if not all(self.allowed(v, road) for v in items):
                return False
        return True

    def static_options(self, node) -> bool:
        """Options that are literals (drawn as they are, with no format_func)."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.static_options(e.value if isinstance(e, ast.Starred) else e)
                       for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(k is not None and self.static_options(k) for k in node.keys)
        if isinstance(node, ast.Call) and _name(node.func) == "range":
            return True
        if isinstance(node, ast.Call) and _name(node.func) in ("list", "sorted", "tuple"):
            return len(node.args) == 1 and self.static_options(node.args[0])
        if isinstance(node, ast.Name):
            values = self._assignments(node)
            return bool(values) and all(self.static_options(v) for v in values)
        return False

    def format_func_ok(self, node, road: str) -> bool:
        if isinstance(node, ast.Lambda):
            return self.allowed(node.body, road)
        name = _name(node)
        if isinstance(node, ast.Name) and name in (MARKDOWN_FUNCTIONS if road == "markdown"
                                                   else OPTION_FUNCTIONS):
            return True
        if isinstance(node, ast.Name) and name in self.m.functions:
            return self._builder_returns_ok(self.m.functions[name], road)
        if isinstance(node, ast.Name):
            values = self._assignments(node)
            return bool(values) and all(self.format_func_ok(v, road) for v in values)
        if isinstance(node, ast.Attribute) and node.attr == "get":
            return self._static_item(node.value, road)
        return False

    def _builder_returns_ok(self, defs, road: str) -> bool:
        for fn in defs:
            if (id(fn), road) in self._resolving:  # recursion: decided by the other returns
                continue
            self._resolving.add((id(fn), road))
            try:
                returns = [n.value for n in ast.walk(fn) if isinstance(n, ast.Return)]
                if not returns or not all(r is not None and self.allowed(r, road)
                                          for r in returns):
                    return False
            finally:
                self._resolving.discard((id(fn), road))
        return True

    # --- where the roads are ----------------------------------------------------------------
    def check(self) -> list[str]:
        for node in ast.walk(self.m.tree):
            if isinstance(node, ast.Call):
                self._check_call(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for road, suffixes in BUILDER_SUFFIXES.items():
                    if node.name.endswith(suffixes):
                        for ret in (n for n in ast.walk(node) if isinstance(n, ast.Return)):
                            if ret.value is None or not self.allowed(ret.value, road):
                                self._report(ret, f"{node.name}() returns", road)
        return self.found

    def _report(self, node, what: str, road: str = "markdown") -> None:
        self.found.append((node.lineno, what, ast.unparse(node), road))

    def _check_call(self, call: ast.Call) -> None:
        for kw in call.keywords:
            if kw.arg == "help" and not self.allowed(kw.value):
                self._report(kw.value, "help=")
        # (st.success if ok else st.error)(message): both branches are roads
        funcs = ([call.func.body, call.func.orelse] if isinstance(call.func, ast.IfExp)
                 else [call.func])
        for func in funcs:
            if _is_streamlit_call(func, self.imported):
                self._check_road(call, func.attr)

    def _check_road(self, call: ast.Call, name: str) -> None:
        kws = {k.arg: k.value for k in call.keywords}

        def arg(*where):
            for w in where:
                if isinstance(w, int) and len(call.args) > w:
                    return call.args[w]
                if isinstance(w, str) and w in kws:
                    return kws[w]
            return None

        if name == "write":
            for a in call.args:
                if not self.allowed(a):
                    self._report(a, "st.write()")
        elif name in BODY_CALLS:
            body = arg(0, "body")
            if body is not None and not self.allowed(body):
                self._report(body, f"st.{name}()")
        if name in LABEL_CALLS or name in LABEL_ONLY_BY_KEYWORD:
            label = arg("label") if name in LABEL_ONLY_BY_KEYWORD else arg(0, "label")
            if label is not None and not self.allowed(label):
                self._report(label, f"{name}() label")
        for where in MORE_MARKDOWN_ARGS.get(name, ()):
            value = arg(where)
            if value is not None and not self.allowed(value):
                self._report(value, f"{name}() {where}")
        if name == "tabs":
            tabs = arg(0, "tabs")
            items = tabs.elts if isinstance(tabs, (ast.List, ast.Tuple)) else [tabs]
            for item in items:
                if item is not None and not self.allowed(item):
                    self._report(item, "tabs() label")
        if name in MARKDOWN_OPTIONS | PLAIN_OPTIONS:
            road = "markdown" if name in MARKDOWN_OPTIONS else "option"
            fmt, options = kws.get("format_func"), arg(1, "options")
            if fmt is not None and not self.format_func_ok(fmt, road):
                self._report(fmt, f"{name}() format_func", road)
            elif fmt is None and options is not None and not self.static_options(options):
                self._report(options, f"{name}() options without format_func", road)
        if name in TABLES:
            data = arg(0, "data")
            if data is not None and _name(getattr(data, "func", None)) != "table_text":
                self._report(data, f"st.{name}() data not through table_text")
        if name == "table":
            self._report(call, "st.table() renders markdown in its cells: use st.dataframe")


def _name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _binds(target, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _walk_scope(scope):
    """Nodes of `scope` (a function, lambda or module), not of functions nested in it."""
    todo = [scope]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if child is not scope and isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                         ast.Lambda, ast.ClassDef)):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    yield child  # its arguments bind names only inside it
                continue
            todo.append(child)


def _is_streamlit_call(func, imported: set[str]) -> bool:
    """st.x(…), st.sidebar.x(…), col.x(…), cols[0].x(…): a method call on Streamlit or on a
    container it returned, not on another imported module (`groups.progress(…)`) or a known
    non-Streamlit object."""
    if not isinstance(func, ast.Attribute):
        return False
    root = func.value
    while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
        root = root.value if not isinstance(root, ast.Call) else root.func
    if isinstance(root, ast.Name):
        return root.id == "st" or (root.id not in imported and root.id not in NOT_STREAMLIT)
    return not isinstance(root, ast.Constant)


def builders_of(paths) -> dict[str, list]:
    found: dict[str, list] = {}
    for path in paths:
        for name, defs in Module.parse(Path(path).read_text()).functions.items():
            if name.endswith(BUILDER_SUFFIXES["markdown"] + BUILDER_SUFFIXES["option"]):
                found.setdefault(name, []).extend(defs)
    return found


def violations(source: str, builders: dict | None = None, path: str = "") -> list[str]:
    found = Checker(Module.parse(source), builders or {}).check()
    return [f"line {line}: {what} {code[:70]!r} ({road} road)" for line, what, code, road in found
            if not any(path == p and what == w and code.startswith(start)
                       for p, w, start in WAIVED)]


# --- self-test: each kind of violation is caught, each allowed form passes ------------------

HEADER = ("import streamlit as st\n"
          "from companion.ui.text import markdown_text, label_text, option_text, number_text\n"
          "from companion.core.timeutil import show\n"
          "WORDS = {'a': 'Going', 'b': 'Not going'}\nVIEWS = ['One', 'Two']\n"
          "def _(s): return s\n")

PLANTED = {
    "markdown body": "st.markdown(name)",
    "markdown f-string": "st.markdown(f'**Name:** {value}')",
    "caption concatenation": "st.caption('Hi ' + name)",
    "write": "st.write('ok', note)",
    "toast": "st.toast(row.name)",
    "info/success/warning/error": "st.error(str(exc))",
    "title": "st.title(f'Hi, {name}')",
    "button label": "st.button(f'Call {contact.name}')",
    "label= keyword": "st.checkbox(label=name)",
    "column method": "cols[0].button(contact.name)",
    "link button": "st.link_button(f'📞 {c.name} · {c.phone}', c.tel)",
    "page link": "st.page_link('pages/x.py', label=title)",
    "expander": "st.expander(f'History of {name}')",
    "popover": "st.popover(name)",
    "tabs": "st.tabs([name, 'Other'])",
    "metric value": "st.metric('Mood', value)",
    "radio label": "st.radio(name, ['a'])",
    "select label": "st.selectbox(f'For {name}', ['a'])",
    "text input label": "st.text_input(f'Attendance for {row.name}')",
    "help=": "st.button('Go', help=note)",
    "help= on any call": "st.column_config.NumberColumn(help=note)",
    "progress text": "st.progress(0.5, text=note)",
    "radio options": "st.radio('Pick', names)",
    "segmented format_func": "st.segmented_control('x', ['a'], format_func=lambda k: names[k])",
    "select_slider format_func": "st.select_slider('x', [1], format_func=str)",
    "selectbox format_func": "st.selectbox('x', ids, format_func=lambda i: people[i])",
    "selectbox dict.get of names": "st.selectbox('x', ids, format_func=clients.get)",
    "selectbox markdown-escaped": "st.selectbox('x', ids, format_func=lambda i: label_text(i))",
    "multiselect options": "st.multiselect('x', triggers)",
    "dataframe": "st.dataframe(frame)",
    "st.table": "st.table(rows)",
    "number not through number_text": "st.markdown(f'{count} check-ins')",
    "loop variable": "for t in names:\n    st.markdown(t)",
    "argument": "def f(label):\n    st.button(label)",
    "gettext with a raw value": "st.markdown(_('Hi {name}').format(name=name))",
    "gettext on a variable": "st.markdown(_(name))",
    "builder returning raw text": "def who_label(r):\n    return r.name\nst.button(who_label(r))",
    "unknown function": "st.markdown(describe(x))",
    "walrus from session state": "if (m := st.session_state.pop('m')):\n    st.success(m)",
    "alert chosen by a condition": "(st.success if ok else st.error)(verdict.message)",
    "join of raw text": "st.markdown(', '.join(names))",
    "join of raw items": "st.markdown(', '.join(t.label for t in tags))",
}

ALLOWED = [
    "st.markdown('**Plain** words')",
    "st.markdown(markdown_text(note))",
    "st.markdown(f'**{markdown_text(name)}** · {number_text(n)} days, {show(at)}')",
    "st.caption('Hi ' + markdown_text(name) + '.')",
    "st.button(label_text(c.name), help='Calls them')",
    "st.link_button(f'📞 {label_text(c.name)} · {label_text(c.phone)}', c.tel)",
    "st.page_link('pages/x.py', label='Open')",
    "st.tabs(['One', label_text(name)])",
    "st.metric('Mood', number_text(m), number_text(d))",
    "st.markdown(WORDS['a'])",
    "st.markdown(WORDS.get(k, 'Unknown'))",
    "label = 'Save' if new else 'Update'\nst.button(label)",
    "def f(x):\n    label = label_text(x)\n    st.button(label)",
    "st.radio('Pick', ['a', 'b'])",
    "st.segmented_control('View', VIEWS)",
    "st.pills('Level', list(range(11)))",
    "st.radio('Pick', opts, format_func=label_text)",
    "st.radio('Pick', opts, format_func=WORDS.get)",
    "st.select_slider('Mood', range(10), format_func=lambda v: number_text(v))",
    "st.selectbox('Who', ids, format_func=lambda i: option_text(people[i]))",
    "st.multiselect('Triggers', triggers, format_func=option_text)",
    "st.dataframe(table_text(frame), hide_index=True)",
    "st.markdown(_('Saved.'))",
    "st.markdown(_('Hi {name}').format(name=markdown_text(name)))",
    "st.markdown(ngettext('{n} day', '{n} days', n).format(n=number_text(n)))",
    "def who_label(r):\n    return label_text(r.name)\nst.button(who_label(r))",
    "def who_option(r):\n    return option_text(r.name)\n"
    "st.selectbox('x', ids, format_func=who_option)",
    "st.success(f'Saved {number_text(len(rows))} change' + ('s' if len(rows) > 1 else ''))",
    "import logging\nlogging.getLogger('x').error(name)",
    "(st.success if ok else st.error)(markdown_text(verdict.message))",
    "st.markdown('  \\n'.join(markdown_text(t.label) for t in tags))",
    "import companion.groups as groups\ngroups.progress(session, actor, 3)",
]


@pytest.mark.parametrize("kind", PLANTED)
def test_the_check_catches_each_kind_of_violation(kind):
    found = violations(HEADER + PLANTED[kind] + "\n")
    assert found, f"{kind} was not caught"


@pytest.mark.parametrize("source", ALLOWED)
def test_the_check_allows_literals_text_functions_and_gettext(source):
    assert violations(HEADER + source + "\n") == []


def test_every_road_in_the_app_takes_only_safe_text():
    builders = builders_of(SOURCES)
    offenders = {}
    for p in SOURCES:
        path = str(p.relative_to(ROOT))
        if found := violations(p.read_text(), builders, path):
            offenders[path] = found
    assert offenders == {}, "\n".join(f"{path}:\n  " + "\n  ".join(found)
                                      for path, found in offenders.items())
