"""The chart builders: Altair specs with inline data, phone sizing and no network resources."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from companion import charts

D0 = dt.date(2025, 3, 1)


def spec(chart) -> dict:
    return chart.to_dict()


def values(d: dict) -> list[dict]:
    """The single inline dataset of a spec (Altair consolidates frames into `datasets`)."""
    assert "url" not in json.dumps(d.get("data", {}))
    (rows,) = d["datasets"].values()
    return rows


def layers(d: dict) -> list[dict]:
    return d.get("layer", [d])


def marks(d: dict) -> list[str]:
    return [layer["mark"]["type"] for layer in layers(d)]


def trends_frame(n: int = 10) -> pd.DataFrame:
    days = [D0 + dt.timedelta(days=i) for i in range(n)]
    frame = pd.DataFrame({"day": days, "mood": [5.0] * n, "craving": [float(i) for i in range(n)],
                          "stress": [3.0] * n})
    return frame


def sample_charts() -> dict:
    return {
        "trends": charts.daily_trends(trends_frame(), 30),
        "triggers": charts.trigger_counts(pd.DataFrame({"label": ["Payday", "Boredom"],
                                                        "count": [2, 5]})),
        "heatmap": charts.craving_heatmap(pd.DataFrame({"weekday": [0, 6], "hour": [6, 23],
                                                        "count": [2, 1]})),
        "outcomes": charts.craving_outcomes(pd.DataFrame({
            "week": [dt.date(2025, 3, 3)] * 3 + [dt.date(2025, 3, 10)],
            "outcome": ["passed", "used", "still_there", "passed"], "count": [3, 1, 2, 4]})),
        "calendar": charts.checkin_calendar({dt.date(2025, 4, 3), dt.date(2025, 4, 9)},
                                            dt.date(2025, 4, 20)),
        "works": charts.what_works(pd.DataFrame({"strategy": ["Walk", "Call someone"],
                                                 "uses": [4, 2], "avg_drop": [2.5, 3.1]})),
        "sparkline": charts.sparkline(trends_frame(), "craving"),
    }


@pytest.mark.parametrize("name", list(sample_charts()))
def test_every_chart_is_inline_phone_sized_and_offline(name):
    d = spec(sample_charts()[name])
    assert d["width"] == "container"
    assert 40 <= d["height"] <= 240
    assert values(d)
    d.pop("$schema")  # a JSON-schema identifier, never fetched by the renderer
    text = json.dumps(d)
    assert "http" not in text and '"url"' not in text


def test_daily_trends_layers_and_encodings():
    d = spec(charts.daily_trends(trends_frame(), 30))
    assert marks(d) == ["line", "line", "point"]
    assert d["height"] == 220
    assert d["config"]["legend"]["orient"] == "bottom"
    for layer in layers(d):
        enc = layer["encoding"]
        assert enc["x"]["field"] == "day" and enc["x"]["type"] == "temporal"
        assert enc["y"]["scale"]["domain"] == [0, 10]
        assert enc["color"]["field"] == "measure"
        assert enc["tooltip"]
    average, raw, points = layers(d)
    # Issue 19 item 3: the raw values are primary, the 7-day mean a thin dashed second.
    assert average["encoding"]["y"]["field"] == "avg" and average["mark"]["strokeDash"]
    assert raw["encoding"]["y"]["field"] == "value"
    assert raw["mark"]["strokeWidth"] > average["mark"]["strokeWidth"]
    assert points["mark"]["opacity"] > average["mark"]["opacity"]
    assert {r["measure"] for r in values(d)} == {"Mood", "Craving", "Stress"}


def test_no_smoothing_under_fourteen_days_so_todays_spike_shows():
    frame = trends_frame(7).assign(craving=[1.0, 1, 1, 1, 1, 1, 9])  # a 9 today
    d = spec(charts.daily_trends(frame, 7))
    assert marks(d) == ["line", "point"]
    assert all(layer["encoding"]["y"]["field"] == "value" for layer in layers(d))
    assert "average" not in json.dumps(d["title"])
    craving = [r["value"] for r in values(d) if r["measure"] == "Craving"]
    assert craving[-1] == 9
    assert marks(spec(charts.daily_trends(trends_frame(), 14)))[0] == "line"
    assert len(layers(spec(charts.daily_trends(trends_frame(), 14)))) == 3


def test_rolling_average_spans_gaps_over_calendar_days():
    frame = trends_frame(10)
    frame.loc[[4, 5], "craving"] = np.nan  # two days with no check-in
    frame = frame.drop(index=[8])  # and one day with no row at all
    rows = [r for r in values(spec(charts.daily_trends(frame, 30))) if r["measure"] == "Craving"]
    assert len(rows) == 10  # every calendar day, including the missing row
    avg = [r["avg"] for r in rows]
    series = [0, 1, 2, 3, None, None, 6, 7, None, 9]
    expected = []
    for i in range(10):
        window = [v for v in series[max(0, i - 6):i + 1] if v is not None]
        expected.append(round(sum(window) / len(window), 2))
    assert avg == pytest.approx(expected)
    assert rows[8]["value"] is None and rows[8]["day"].startswith("2025-03-09")


def test_daily_trends_ticks_suit_the_window():
    axis = lambda n: layers(spec(charts.daily_trends(trends_frame(), n)))[0][  # noqa: E731
        "encoding"]["x"]["axis"]
    assert axis(7)["tickCount"]["interval"] == "day"
    assert axis(30)["tickCount"]["interval"] == "week"
    assert axis(90)["tickCount"]["interval"] == "month"


def test_trigger_counts_top_ten_sorted_descending():
    frame = pd.DataFrame({"label": [f"t{i}" for i in range(12)], "count": list(range(1, 13))})
    d = spec(charts.trigger_counts(frame))
    assert marks(d) == ["bar", "text"]
    bar = layers(d)[0]["encoding"]
    assert bar["y"]["field"] == "label" and bar["x"]["field"] == "count"
    assert bar["y"]["sort"] == [f"t{i}" for i in range(11, 1, -1)]
    assert len(values(d)) == 10


def test_craving_heatmap_full_grid_with_weekday_names():
    d = spec(charts.craving_heatmap(pd.DataFrame({"weekday": [0, 6, 6], "hour": [6, 23, 23],
                                                  "count": [2, 1, 2]})))
    assert d["mark"]["type"] == "rect"
    rows = values(d)
    assert len(rows) == 7 * 24
    assert d["encoding"]["y"]["sort"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert d["encoding"]["x"]["field"] == "hour" and d["encoding"]["x"]["title"] == "Hour of day"
    sunday_late = [r for r in rows if r["day"] == "Sun" and r["hour"] == 23]
    assert sunday_late[0]["count"] == 3 and sunday_late[0]["time"] == "11 pm–12 am"


def test_craving_outcomes_stacked_with_gentle_colours():
    d = spec(sample_charts()["outcomes"])
    assert d["mark"]["type"] == "bar"
    colour = d["encoding"]["color"]["scale"]
    mapping = dict(zip(colour["domain"], colour["range"]))
    assert mapping["It passed"] == charts.PRIMARY
    assert mapping["I used"] == charts.WARM and mapping["Still there"] == charts.GREY
    assert d["encoding"]["x"]["sort"] == ["Mar 3", "Mar 10"]
    assert d["title"] == "How cravings ended"
    assert {r["result"] for r in values(d)} == {"It passed", "I used", "Still there"}


def test_checkin_calendar_cells_for_a_thirty_day_month():
    d = spec(sample_charts()["calendar"])
    assert marks(d) == ["rect", "text"]
    rows = values(d)
    assert len(rows) == 30  # April 2025
    assert [r["day"] for r in rows if r["checked_in"]] == [3, 9]
    first = rows[0]
    assert first["weekday"] == "Tue" and first["week"] == 0  # 1 April 2025 was a Tuesday
    assert rows[-1]["week"] == 4
    assert "streak" not in json.dumps(d).lower()


def test_what_works_sorted_with_use_counts():
    d = spec(sample_charts()["works"])
    assert marks(d) == ["bar", "text"]
    assert layers(d)[0]["encoding"]["y"]["sort"] == ["Call someone", "Walk"]
    assert layers(d)[1]["encoding"]["text"]["field"] == "n"
    assert [r["n"] for r in values(d)] == ["n=2", "n=4"]
    assert "uses" in [t["field"] for t in layers(d)[0]["encoding"]["tooltip"]]


def test_sparkline_is_small_with_its_scale_labelled():
    d = spec(sample_charts()["sparkline"])
    assert d["mark"]["type"] == "line" and d["height"] <= 60
    assert d["encoding"]["x"]["axis"] is None
    assert d["encoding"]["y"]["axis"]["values"] == [0, 10]
    assert d["encoding"]["y"]["scale"]["domain"] == [0, 10]  # a 2 never looks like an 8
    assert d["encoding"]["y"]["field"] == "craving"


def test_checkin_calendar_covers_the_chosen_period_across_months():
    start, end = dt.date(2025, 3, 3), dt.date(2025, 4, 1)  # 30 days, on the 1st of a month
    d = spec(charts.checkin_calendar({dt.date(2025, 3, 20), end}, end, start))
    rows = values(d)
    assert len(rows) == 30 and rows[0]["date"] == "Monday 3 March"
    assert rows[-1]["date"] == "Tuesday 1 April" and rows[-1]["checked_in"]
    assert [r["week"] for r in rows[:8]] == [0] * 7 + [1]
    assert d["title"] == "Check-ins, Mar 3 – Apr 1"
    assert charts.checkin_calendar({dt.date(2025, 2, 1)}, end, start) is None


def test_empty_inputs_give_none():
    nan_days = trends_frame(3).assign(mood=np.nan, craving=np.nan, stress=np.nan)
    assert charts.daily_trends(trends_frame(0), 7) is None
    assert charts.daily_trends(nan_days, 7) is None
    assert charts.trigger_counts(pd.DataFrame(columns=["label", "count"])) is None
    assert charts.craving_heatmap(pd.DataFrame(columns=["weekday", "hour", "count"])) is None
    assert charts.craving_outcomes(pd.DataFrame(columns=["week", "outcome", "count"])) is None
    assert charts.checkin_calendar(set(), D0) is None
    assert charts.checkin_calendar({dt.date(2025, 5, 1)}, D0) is None  # other month only
    assert charts.what_works(pd.DataFrame(columns=["strategy", "uses", "avg_drop"])) is None
    assert charts.sparkline(nan_days, "mood") is None


def test_the_page_cache_keys_frames_by_their_bytes_not_streamlits_frame_hashing(monkeypatch):
    """Streamlit's own hashing of a DataFrame cost more than the rest of a chart's cache hit
    on every home rerun (issue 16): the cache is keyed on the pickled frame's digest. Equal
    data finds the same spec; a changed value, or another column, builds a new one."""
    from companion.ui import charts as ui_charts

    hashed = []
    real = pd.util.hash_pandas_object
    monkeypatch.setattr(pd.util, "hash_pandas_object",
                        lambda *a, **kw: hashed.append(1) or real(*a, **kw))
    ui_charts._spec.clear()
    first = ui_charts.chart("sparkline", "en", trends_frame(), "craving")
    assert ui_charts.chart("sparkline", "en", trends_frame(), "craving") == first
    assert hashed == []
    changed = trends_frame()
    changed.loc[3, "craving"] = 9.0
    rows = lambda d: d["layer"][0]["data"]["values"]  # noqa: E731 (inline_data's place)
    assert rows(ui_charts.chart("sparkline", "en", changed, "craving")) != rows(first)
    assert ui_charts.chart("sparkline", "en", trends_frame(), "mood")["layer"][0]["encoding"]["y"][
        "field"] == "mood"
    assert ui_charts.data_key(trends_frame()) == ui_charts.data_key(trends_frame())
    assert ui_charts.data_key(changed) != ui_charts.data_key(trends_frame())
    assert ui_charts.chart("sparkline", "en", trends_frame().iloc[0:0], "mood") is None


@pytest.mark.parametrize("name", list(sample_charts()))
def test_rows_go_inside_the_views_so_streamlit_sends_them_as_json(name):
    """Streamlit converts each top-level dataset to Arrow on every draw (issue 16: the home's
    two sparklines, every rerun); rows inside a layer's `data.values` go as JSON, for
    Vega-Lite to read. Same rows, same marks and encodings; other shapes stay as they are."""
    from companion.ui.charts import inline_data

    before = spec(sample_charts()[name])
    after = inline_data(json.loads(json.dumps(before)))
    if "datasets" in after:
        assert after == before
        return
    (rows,) = before["datasets"].values()
    views = after["layer"]
    assert all(view["data"] == {"values": rows} for view in views)
    assert [v.get("mark") for v in views] == [v.get("mark") for v in layers(before)]
    assert [v.get("encoding") for v in views] == [v.get("encoding") for v in layers(before)]
    assert {k: v for k, v in after.items() if k != "layer"} == {
        k: v for k, v in before.items() if k not in ("datasets", "data", "layer", "mark",
                                                     "encoding")}


def test_rows_json_cannot_carry_stay_where_streamlit_converts_them():
    """A measure's trend holds `date` values: inlined, the page would fail drawing it."""
    from companion.ui.charts import inline_data

    d = {"data": {"name": "d1"}, "mark": "line", "datasets": {"d1": [{"day": D0, "v": 1}]}}
    assert inline_data(dict(d)) == d
