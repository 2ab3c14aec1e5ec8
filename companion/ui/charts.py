"""Charts built once per distinct data: building an Altair chart, and turning it into its
Vega-Lite spec (Altair validates it against the schema), cost far more than the SQL behind
it (see bench/trends.py and bench/rerun.py --profile), and the same aggregates come back on
every rerun. So the cache keeps the finished spec, and the page draws that.

The cache is keyed on a digest of the data frames' pickled bytes, not on the frames: for a
week of check-ins Streamlit's own hashing of a DataFrame (`hash_pandas_object`, column by
column) cost 15x the pickle, and it ran on every home rerun (issue 16)."""
from __future__ import annotations

import hashlib
import pickle

import pandas as pd
import streamlit as st

from companion import charts
from companion.ui.text import markdown_text


def data_key(arg: object) -> object:
    """What identifies one argument: a frame by its pickled bytes' digest (a frame equal in
    content but pickled otherwise only builds its chart again), anything else as it is."""
    if isinstance(arg, (pd.DataFrame, pd.Series)):
        return ("frame", hashlib.blake2b(pickle.dumps(arg, protocol=5),
                                         digest_size=20).hexdigest())
    return arg


@st.cache_data(max_entries=1024, ttl=3600, show_spinner=False)
def _spec(name: str, key: tuple, _args: tuple) -> dict | None:
    """The Vega-Lite spec of `charts.<name>(*_args)` (data inline), cached under `key` (the
    arguments' `data_key`s; `_args` itself is not hashed); None when there is nothing to
    draw."""
    built = getattr(charts, name)(*_args)
    return None if built is None else built.to_dict()


def chart(name: str, *args) -> dict | None:
    return _spec(name, tuple(data_key(a) for a in args), args)


def draw(name: str, *args, empty: str = "") -> None:
    spec = chart(name, *args)
    if spec is None:
        if empty:
            st.caption(markdown_text(empty))
        return
    st.vega_lite_chart(spec, width="stretch")
