"""Charts built once per distinct data: building an Altair chart, and turning it into its
Vega-Lite spec (Altair validates it against the schema), cost far more than the SQL behind
it (see bench/trends.py and bench/rerun.py --profile), and the same aggregates come back on
every rerun. So the cache keeps the finished spec, and the page draws that.

The cache is keyed on a digest of the data frames' pickled bytes, not on the frames: for a
week of check-ins Streamlit's own hashing of a DataFrame (`hash_pandas_object`, column by
column) cost 15x the pickle, and it ran on every home rerun (issue 16)."""
from __future__ import annotations

import hashlib
import json
import pickle

import pandas as pd
import streamlit as st

from companion import charts, i18n
from companion.ui.text import markdown_text


def data_key(arg: object) -> object:
    """What identifies one argument: a frame by its pickled bytes' digest (a frame equal in
    content but pickled otherwise only builds its chart again), anything else as it is."""
    if isinstance(arg, (pd.DataFrame, pd.Series)):
        return ("frame", hashlib.blake2b(pickle.dumps(arg, protocol=5),
                                         digest_size=20).hexdigest())
    return arg


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def _spec(name: str, language: str, key: tuple, _args: tuple) -> dict | None:
    """The Vega-Lite spec of `charts.<name>(*_args)` (data inline) in `language`, cached under
    `key` (the arguments' `data_key`s; `_args` itself is not hashed) and the language (a
    chart's titles, axes, labels and time locale differ by language); None when there is
    nothing to draw."""
    previous = i18n.current()
    i18n.use(language)
    try:
        built = getattr(charts, name)(*_args)
    finally:
        i18n.use(previous)
    return None if built is None else inline_data(built.to_dict())


_VIEW_KEYS = ("data", "mark", "encoding", "transform", "params", "projection")


def inline_data(spec: dict) -> dict:
    """The spec with its rows written into its views (`data.values` of each layer) rather than
    in top-level `datasets`: Streamlit turns every top-level dataset into Arrow on each draw
    (a pandas frame, then Arrow bytes: more than the rest of a home rerun's chart), while rows
    inside a layer go to the browser as the JSON they already are, for Vega-Lite to read.
    A chart of another shape (concatenated, faceted), or rows JSON can't carry, is left as it
    is."""
    datasets = spec.get("datasets")
    try:  # rows with values JSON can't carry (dates): left to Streamlit's Arrow, as they are
        json.dumps(datasets)
    except (TypeError, ValueError):
        return spec
    if not datasets or any(k in spec for k in ("concat", "hconcat", "vconcat", "facet",
                                               "repeat", "spec")):
        return spec

    def values(data: dict | None) -> dict | None:
        if data and set(data) == {"name"} and data["name"] in datasets:
            return {"values": datasets[data["name"]]}
        return data

    out = {k: v for k, v in spec.items() if k != "datasets"}
    if "layer" in out and "transform" in out:
        return spec  # a transform over the layers' shared data: as it is
    if "layer" in out:
        top = out.pop("data", None)
        layers = []
        for layer in out["layer"]:
            if not isinstance(layer, dict) or "layer" in layer:
                return spec  # nested layers: as it is
            layer = dict(layer)
            layer["data"] = values(layer.get("data", top))
            if layer["data"] is None:
                layer.pop("data")
            layers.append(layer)
        out["layer"] = layers
    elif "mark" in out:
        view = {k: out.pop(k) for k in _VIEW_KEYS if k in out}
        view["data"] = values(view.get("data"))
        out["layer"] = [view]
    else:
        return spec
    if "name" in str([layer.get("data") for layer in out["layer"]]):
        return spec  # a dataset it names is not one of ours: as it is
    return out


def chart(name: str, language: str, *args) -> dict | None:
    return _spec(name, language, tuple(data_key(a) for a in args), args)


def draw(name: str, *args, empty: str = "") -> None:
    spec = chart(name, i18n.current(), *args)
    if spec is None:
        if empty:
            st.caption(markdown_text(empty))
        return
    st.vega_lite_chart(spec, width="stretch")
