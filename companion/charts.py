"""Altair charts for the companion, sized for a 390 px phone.

Every function is pure: it takes a small, already-aggregated DataFrame (or set of dates) and
returns an Altair chart, or ``None`` when there is nothing to draw, so the page can show a
friendly message instead. Data is always inlined into the spec (never a URL), and no theme,
font or other resource is loaded from the network.
"""
from __future__ import annotations

import calendar
import datetime as dt

import altair as alt
import pandas as pd

PRIMARY = "#2f6f62"
TEXT = "#1f2a2e"
LIGHT = "#eef3f0"
BACKGROUND = "#fbfaf7"
GRID = "#cfd8d4"
GREY = "#a3acaf"
WARM = "#d2a679"  # muted sand: "I used" is information, not an alarm
MEASURE_COLOURS = {"Mood": PRIMARY, "Craving": "#b5835a", "Stress": "#6b7fa8"}
OUTCOMES = {"passed": ("It passed", PRIMARY), "still_there": ("Still there", GREY),
            "used": ("I used", WARM)}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ROLLING_DAYS = 7
SMOOTH_FROM_DAYS = 14  # no rolling mean in a shorter window: each day's value is the story

Chart = alt.Chart | alt.LayerChart


def _style(chart: Chart, height: int) -> Chart:
    """Shared phone-friendly sizing, fonts and calm chrome."""
    # fit-x: fill the phone's width, keep the plot's own height (Streamlit's default "fit"
    # squeezes title, legend and axes into the height and leaves a sliver of plot).
    return (chart.properties(width="container", height=height,
                             autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
            .configure(font="sans-serif", background=BACKGROUND)
            .configure_axis(labelFontSize=13, titleFontSize=13, labelColor=TEXT,
                            titleColor=TEXT, gridColor=LIGHT, domainColor=GRID, tickColor=GRID)
            .configure_legend(orient="bottom", labelFontSize=13, titleFontSize=13,
                              labelColor=TEXT, titleColor=TEXT)
            .configure_title(fontSize=16, subtitleFontSize=13, anchor="start", color=TEXT,
                             subtitleColor=TEXT)
            .configure_view(stroke=None))


def _is_empty(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is None or frame.empty or frame[list(columns)].isna().all().all()


def _hour_label(hour: int) -> str:
    return f"{(hour % 12) or 12} {'am' if hour < 12 else 'pm'}"


def _date_axis(window_days: int) -> alt.Axis:
    """Readable date ticks for a 7, 30 or 90 day window on a narrow screen."""
    if window_days <= 7:
        return alt.Axis(format="%a", tickCount={"interval": "day", "step": 1}, labelAngle=0)
    if window_days <= 31:
        return alt.Axis(format="%b %-d", tickCount={"interval": "week", "step": 1},
                        labelAngle=0, labelOverlap=True)
    return alt.Axis(format="%b", tickCount={"interval": "month", "step": 1}, labelAngle=0,
                    labelOverlap=True)


def rolling_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Long format (day, measure, value, avg) with a 7-day rolling mean over every calendar day."""
    wide = frame.assign(day=pd.to_datetime(frame["day"])).groupby("day")[
        ["mood", "craving", "stress"]].mean()
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"))
    wide.index.name = "day"
    avg = wide.rolling(ROLLING_DAYS, min_periods=1).mean()
    long = wide.reset_index().melt("day", var_name="measure", value_name="value")
    long["avg"] = avg.reset_index().melt("day")["value"].round(2)
    long["measure"] = long["measure"].str.capitalize()
    return long.dropna(subset=["value", "avg"], how="all").reset_index(drop=True)


def daily_trends(frame: pd.DataFrame, window_days: int) -> alt.LayerChart | None:
    """Mood, craving and stress per day — the raw values primary (points and line), a thin
    dashed 7-day average secondary, and none under `SMOOTH_FROM_DAYS` days (so today's
    spike reads as itself: a craving of 9 shows as 9); None if no data."""
    if _is_empty(frame, "mood", "craving", "stress"):
        return None
    data = rolling_long(frame)
    smooth = window_days >= SMOOTH_FROM_DAYS
    colour = alt.Color("measure:N", title=None,
                       scale=alt.Scale(domain=list(MEASURE_COLOURS),
                                       range=list(MEASURE_COLOURS.values())),
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3,
                                         symbolOpacity=1))
    tooltip = [alt.Tooltip("day:T", title="Day", format="%a %b %-d"),
               alt.Tooltip("measure:N", title="Measure"),
               alt.Tooltip("value:Q", title="That day", format=".1~f")]
    if smooth:
        tooltip.append(alt.Tooltip("avg:Q", title="7-day average", format=".1f"))
    base = alt.Chart(data).encode(
        x=alt.X("day:T", title=None, axis=_date_axis(window_days)), color=colour,
        tooltip=tooltip)
    y_scale = alt.Scale(domain=[0, 10])
    raw = base.transform_filter("isValid(datum.value)")
    points = raw.mark_point(filled=True, size=40, opacity=0.95).encode(
        y=alt.Y("value:Q", scale=y_scale, title="0–10", axis=alt.Axis(values=[0, 5, 10])))
    line = raw.mark_line(strokeWidth=2).encode(y=alt.Y("value:Q", scale=y_scale))
    layers = [line, points]
    if smooth:
        layers.insert(0, base.transform_filter("isValid(datum.avg)").mark_line(
            strokeWidth=1.5, opacity=0.6, strokeDash=[4, 3], interpolate="monotone").encode(
            y=alt.Y("avg:Q", scale=y_scale)))
    subtitle = ("Dots: each day · dashed line: 7-day average" if smooth
                else "Each day's rating")
    chart = alt.layer(*layers).properties(
        title=alt.Title("Mood, craving and stress", subtitle=subtitle))
    return _style(chart, 220)


def _bar_height(rows: int) -> int:
    return max(160, min(240, 28 * rows))


def trigger_counts(frame: pd.DataFrame) -> alt.LayerChart | None:
    """Top 10 triggers as horizontal bars, most frequent first; None if there are none."""
    if _is_empty(frame, "count"):
        return None
    data = (frame[frame["count"] > 0].sort_values(["count", "label"], ascending=[False, True])
            .head(10).reset_index(drop=True))
    if data.empty:
        return None
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=130)),
        x=alt.X("count:Q", title="Times noted",
                axis=alt.Axis(tickMinStep=1, format="d", tickCount=4),
                scale=alt.Scale(domain=[0, int(data["count"].max() * 1.15) + 1])),
        tooltip=[alt.Tooltip("label:N", title="Trigger"), alt.Tooltip("count:Q", title="Times")])
    bars = base.mark_bar(color=PRIMARY, cornerRadiusEnd=3)
    labels = base.mark_text(align="left", dx=4, fontSize=13, color=TEXT).encode(text="count:Q")
    return _style(alt.layer(bars, labels).properties(title="Common triggers"),
                  _bar_height(len(data)))


def craving_heatmap(frame: pd.DataFrame) -> alt.Chart | None:
    """Weekday × hour grid of craving counts (all 168 cells); None if there are none."""
    if _is_empty(frame, "count") or frame["count"].fillna(0).sum() <= 0:
        return None
    counts = frame.groupby(["weekday", "hour"])["count"].sum()
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    data = counts.reindex(grid, fill_value=0).reset_index()
    data["count"] = data["count"].astype(int)
    data["day"] = [WEEKDAYS[w] for w in data["weekday"]]
    data["day_name"] = [calendar.day_name[w] for w in data["weekday"]]
    data["time"] = [f"{_hour_label(h)}–{_hour_label((h + 1) % 24)}" for h in data["hour"]]
    hour_labels = ("datum.value == 0 ? '12a' : datum.value < 12 ? datum.value + 'a' : "
                   "datum.value == 12 ? '12p' : (datum.value - 12) + 'p'")
    chart = alt.Chart(data).mark_rect(stroke=BACKGROUND, strokeWidth=1).encode(
        x=alt.X("hour:O", title="Hour of day", sort=list(range(24)),
                axis=alt.Axis(values=[0, 6, 12, 18], labelExpr=hour_labels, labelAngle=0)),
        y=alt.Y("day:O", title=None, sort=WEEKDAYS),
        color=alt.Color("count:Q", title="Cravings", scale=alt.Scale(range=[LIGHT, PRIMARY]),
                        legend=alt.Legend(gradientLength=160, format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("day_name:N", title="Day"), alt.Tooltip("time:N", title="Time"),
                 alt.Tooltip("count:Q", title="Cravings")],
    ).properties(title="When cravings show up")
    return _style(chart, 200)


def craving_outcomes(frame: pd.DataFrame) -> alt.Chart | None:
    """Stacked bars per week of how cravings ended; None if there are none."""
    if _is_empty(frame, "count"):
        return None
    data = frame[frame["outcome"].isin(list(OUTCOMES)) & (frame["count"] > 0)].copy()
    if data.empty:
        return None
    data["week"] = pd.to_datetime(data["week"])
    data = data.groupby(["week", "outcome"], as_index=False)["count"].sum().sort_values("week")
    data["week_label"] = [f"{w:%b} {w.day}" for w in data["week"]]
    data["result"] = [OUTCOMES[o][0] for o in data["outcome"]]
    data["order"] = [list(OUTCOMES).index(o) for o in data["outcome"]]
    labels, colours = zip(*OUTCOMES.values())
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("week_label:O", title="Week of", sort=list(dict.fromkeys(data["week_label"])),
                axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("count:Q", title="Cravings", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("result:N", title=None,
                        scale=alt.Scale(domain=list(labels), range=list(colours))),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("week_label:N", title="Week of"),
                 alt.Tooltip("result:N", title="How it ended"),
                 alt.Tooltip("count:Q", title="Cravings")],
    ).properties(title="How cravings ended")
    return _style(chart, 220)


def calendar_cells(days: set[dt.date], month: dt.date,
                   start: dt.date | None = None) -> pd.DataFrame:
    """One row per day of ``month`` — or, given ``start``, of ``start``..``month`` (the chosen
    period, across months): column (0=Mon), week row, day number and check-in flag."""
    first = start or month.replace(day=1)
    last = month if start else first.replace(
        day=calendar.monthrange(first.year, first.month)[1])
    offset = first.weekday()
    rows = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        rows.append({"day": day.day, "weekday": WEEKDAYS[day.weekday()],
                     "week": (n + offset) // 7, "date": f"{day:%A} {day.day} {day:%B}",
                     "checked_in": day in days,
                     "status": "Checked in" if day in days else "No check-in"})
    return pd.DataFrame(rows)


def checkin_calendar(days: set[dt.date], month: dt.date,
                     start: dt.date | None = None) -> alt.LayerChart | None:
    """Week rows (Mon–Sun) with check-in days filled: ``month``'s, or the period from
    ``start`` to ``month`` (its last day); None if no check-ins in it."""
    data = calendar_cells(days, month, start)
    if not data["checked_in"].any():
        return None
    base = alt.Chart(data).encode(
        x=alt.X("weekday:O", sort=WEEKDAYS, title=None, scale=alt.Scale(paddingInner=0.12),
                axis=alt.Axis(orient="top", labelAngle=0, domain=False, ticks=False)),
        y=alt.Y("week:O", title=None, axis=None, scale=alt.Scale(paddingInner=0.12)),
        tooltip=[alt.Tooltip("date:N", title="Day"), alt.Tooltip("status:N", title="")])
    checked = alt.datum.checked_in
    cells = base.mark_rect(cornerRadius=4, strokeWidth=1).encode(
        fill=alt.condition(checked, alt.value(PRIMARY), alt.value("#ffffff")),
        stroke=alt.condition(checked, alt.value(PRIMARY), alt.value(GRID)))
    numbers = base.mark_text(fontSize=13).encode(
        text="day:Q", color=alt.condition(checked, alt.value("#ffffff"), alt.value(TEXT)))
    weeks = int(data["week"].max()) + 1
    title = (f"{month:%B %Y}" if start is None
             else f"Check-ins, {start:%b} {start.day} – {month:%b} {month.day}")
    chart = alt.layer(cells, numbers).properties(title=title)
    return _style(chart, max(160, min(38 * weeks, 520)))


def what_works(frame: pd.DataFrame) -> alt.LayerChart | None:
    """Strategies by average fall in craving, labelled with how often used; None if empty."""
    if _is_empty(frame, "avg_drop"):
        return None
    data = (frame.dropna(subset=["avg_drop"])
            .sort_values(["avg_drop", "uses"], ascending=[False, False]).head(10)
            .reset_index(drop=True))
    data["n"] = [f"n={int(u)}" for u in data["uses"]]
    data["avg_drop"] = data["avg_drop"].round(2)
    low, high = min(0.0, float(data["avg_drop"].min())), max(1.0, float(data["avg_drop"].max()))
    base = alt.Chart(data).encode(
        y=alt.Y("strategy:N", sort=list(data["strategy"]), title=None,
                axis=alt.Axis(labelLimit=130)),
        x=alt.X("avg_drop:Q", title="Average drop in craving (0–10)",
                axis=alt.Axis(tickCount=4), scale=alt.Scale(domain=[low, high * 1.3], nice=False)),
        tooltip=[alt.Tooltip("strategy:N", title="Strategy"),
                 alt.Tooltip("avg_drop:Q", title="Average drop", format=".1f"),
                 alt.Tooltip("uses:Q", title="Times used")])
    bars = base.mark_bar(color=PRIMARY, cornerRadiusEnd=3)
    labels = base.mark_text(align="left", dx=4, fontSize=12, color=TEXT).encode(text="n:N")
    return _style(alt.layer(bars, labels).properties(title="What helps"),
                  _bar_height(len(data)))


def sparkline(frame: pd.DataFrame, field: str, top: int = 10) -> alt.Chart | None:
    """A small line of ``field`` by day for a glance, on its 0–``top`` scale (labelled at
    both ends, so a flat line near the top is not mistaken for one near the bottom); None if
    there are no values."""
    if _is_empty(frame, field):
        return None
    data = frame[["day", field]].dropna().assign(day=lambda f: pd.to_datetime(f["day"]))
    chart = alt.Chart(data.sort_values("day")).mark_line(
        color=PRIMARY, strokeWidth=2, point=alt.OverlayMarkDef(size=16, color=PRIMARY)).encode(
        x=alt.X("day:T", axis=None),
        y=alt.Y(f"{field}:Q", scale=alt.Scale(domain=[0, top]),
                axis=alt.Axis(values=[0, top], title=None, labelFontSize=10, ticks=False,
                              domain=False, grid=True, gridColor=LIGHT, labelColor=TEXT)),
        tooltip=[alt.Tooltip("day:T", title="Day", format="%a %b %-d"),
                 alt.Tooltip(f"{field}:Q", title=field.replace("_", " ").capitalize())])
    return (chart.properties(width="container", height=48)
            .configure(background="transparent", padding=2).configure_view(stroke=None))


BAND_SHADES = ["#eef3f0", "#f3efe3", "#f6e9dc", "#f4e1d6", "#efd8d2"]


def measure_trend(frame: pd.DataFrame, bands: list[tuple[int, int, str]], title: str,
                  higher_is_better: bool = False) -> alt.LayerChart | None:
    """A measure's scores over time over its severity bands (shaded, labelled).

    `frame`: columns `day` (date) and `value` (int, None when too many items were skipped);
    `bands`: (low, high, label) from the instrument file, lowest first.
    """
    if _is_empty(frame, "value"):
        return None
    data = frame.dropna(subset=["value"])
    shades = BAND_SHADES[:len(bands)]
    if higher_is_better:
        shades = list(reversed(shades))
    band_frame = pd.DataFrame({"low": [b[0] - 0.5 if b[0] > 0 else 0 for b in bands],
                               "high": [b[1] + 0.5 for b in bands],
                               "label": [b[2] for b in bands], "shade": shades})
    top = bands[-1][1]
    y = alt.Scale(domain=[0, top + 0.5], nice=False)
    rects = alt.Chart(band_frame).mark_rect(opacity=0.9).encode(
        y=alt.Y("low:Q", scale=y, title=None), y2="high:Q",
        color=alt.Color("shade:N", scale=None), tooltip=[alt.Tooltip("label:N", title="Band")])
    labels = alt.Chart(band_frame).mark_text(align="left", baseline="middle", dx=4, fontSize=11,
                                             color=GREY).encode(
        y=alt.Y("mid:Q", scale=y), x=alt.value(0), text="label:N").transform_calculate(
        mid="(datum.low + datum.high) / 2")
    line = alt.Chart(data).mark_line(color=PRIMARY, strokeWidth=3, point=alt.OverlayMarkDef(
        color=PRIMARY, size=60, filled=True)).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %-d", tickCount=4)),
        y=alt.Y("value:Q", scale=y, title="Score"),
        tooltip=[alt.Tooltip("day:T", title="Day", format="%a %b %-d"),
                 alt.Tooltip("value:Q", title="Score")])
    return _style(alt.layer(rects, labels, line).properties(title=title), 220)
