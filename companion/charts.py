"""Altair charts for the companion, sized for a 390 px phone.

Every function is pure: it takes a small, already-aggregated DataFrame (or set of dates) and
returns an Altair chart, or ``None`` when there is nothing to draw, so the page can show a
friendly message instead. Data is always inlined into the spec (never a URL), and no theme,
font or other resource is loaded from the network.

Languages (issue #20): titles, axes, legends, tooltips and the labels in the data (measures,
weekdays, how a craving ended, dates) are in this run's language, and a chart in another
language than English carries its own time-format locale (`config.locale`: month and day
names for Vega's date axes), so the spec is complete in itself. A spec differs by language:
the page's cache (companion/ui/charts.py) keys on it.
"""
from __future__ import annotations

import calendar
import datetime as dt

import altair as alt
import pandas as pd
from babel import dates as babel_dates

from companion import i18n
from companion.i18n import N_, _, gettext

PRIMARY = "#2f6f62"
TEXT = "#1f2a2e"
LIGHT = "#eef3f0"
BACKGROUND = "#fbfaf7"
GRID = "#cfd8d4"
GREY = "#a3acaf"
WARM = "#d2a679"  # muted sand: "I used" is information, not an alarm
# Measures and endings are marked here and shown in the reader's language (`gettext`).
MEASURE_COLOURS = {N_("Mood"): PRIMARY, N_("Craving"): "#b5835a", N_("Stress"): "#6b7fa8"}
OUTCOMES = {"passed": (N_("It passed"), PRIMARY), "still_there": (N_("Still there"), GREY),
            "used": (N_("I used"), WARM)}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]  # English; see `weekdays()`
_A_MONDAY = dt.date(2024, 1, 1)
ROLLING_DAYS = 7
SMOOTH_FROM_DAYS = 14  # no rolling mean in a shorter window: each day's value is the story

Chart = alt.Chart | alt.LayerChart


def weekdays() -> list[str]:
    """Monday to Sunday, abbreviated, in this run's language ("Mon" / "lun")."""
    if i18n.current() == i18n.DEFAULT:
        return WEEKDAYS
    return [i18n.weekday_name(_A_MONDAY + dt.timedelta(days=n), width="abbreviated")
            for n in range(7)]


def _short_day(day: dt.date) -> str:
    """"Mar 3" / "3 mar"."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%b} {day.day}"
    return babel_dates.format_skeleton("MMMd", day, locale=i18n.babel_locale())


def _long_day(day: dt.date) -> str:
    """"Tuesday 3 March" / "martes, 3 de marzo de 2026"."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%A} {day.day} {day:%B}"
    return i18n.format_day(day)


def _month(day: dt.date) -> str:
    """"March 2026" / "marzo de 2026"."""
    if i18n.current() == i18n.DEFAULT:
        return f"{day:%B %Y}"
    return babel_dates.format_skeleton("yMMMM", day, locale=i18n.babel_locale())


def time_locale(language: str | None = None) -> dict:
    """Vega's time-format locale (d3-time-format) for `language`, from Babel's CLDR data."""
    locale = i18n.babel_locale(language)
    days = [locale.days["format"]["wide"][(n + 6) % 7] for n in range(7)]  # Sunday first
    short_days = [locale.days["format"]["abbreviated"][(n + 6) % 7] for n in range(7)]
    months = [locale.months["stand-alone"]["wide"][n] for n in range(1, 13)]
    short_months = [locale.months["stand-alone"]["abbreviated"][n].rstrip(".")
                    for n in range(1, 13)]
    periods = [locale.day_periods["format"]["abbreviated"][p] for p in ("am", "pm")]
    return {"dateTime": "%x, %X", "date": "%-m/%-d/%Y", "time": "%-I:%M:%S %p",
            "periods": periods, "days": days, "shortDays": short_days, "months": months,
            "shortMonths": short_months}


def _locale() -> dict:
    """`configure()`'s locale: none for English (the spec stays as it was, in Vega's own
    English); another language names its month and day names."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    return {"locale": alt.Locale(time=time_locale())}


def _style(chart: Chart, height: int) -> Chart:
    """Shared phone-friendly sizing, fonts and calm chrome."""
    # fit-x: fill the phone's width, keep the plot's own height (Streamlit's default "fit"
    # squeezes title, legend and axes into the height and leaves a sliver of plot).
    return (chart.properties(width="container", height=height,
                             autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
            .configure(font="sans-serif", background=BACKGROUND, **_locale())
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
        return alt.Axis(format=_("%b %-d"), tickCount={"interval": "week", "step": 1},
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
    long["measure"] = [gettext(m.capitalize()) for m in long["measure"]]
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
                       scale=alt.Scale(domain=[gettext(m) for m in MEASURE_COLOURS],
                                       range=list(MEASURE_COLOURS.values())),
                       legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=3,
                                         symbolOpacity=1))
    tooltip = [alt.Tooltip("day:T", title=_("Day"), format=_("%a %b %-d")),
               alt.Tooltip("measure:N", title=_("Measure")),
               alt.Tooltip("value:Q", title=_("That day"), format=".1~f")]
    if smooth:
        tooltip.append(alt.Tooltip("avg:Q", title=_("7-day average"), format=".1f"))
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
    subtitle = (_("Dots: each day · dashed line: 7-day average") if smooth
                else _("Each day's rating"))
    chart = alt.layer(*layers).properties(
        title=alt.Title(_("Mood, craving and stress"), subtitle=subtitle))
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
    data["label"] = [i18n.clinic_label(label) for label in data["label"]]  # the clinic's own
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=130)),
        x=alt.X("count:Q", title=_("Times noted"),
                axis=alt.Axis(tickMinStep=1, format="d", tickCount=4),
                scale=alt.Scale(domain=[0, int(data["count"].max() * 1.15) + 1])),
        tooltip=[alt.Tooltip("label:N", title=_("Trigger")),
                 alt.Tooltip("count:Q", title=_("Times"))])
    bars = base.mark_bar(color=PRIMARY, cornerRadiusEnd=3)
    labels = base.mark_text(align="left", dx=4, fontSize=13, color=TEXT).encode(text="count:Q")
    return _style(alt.layer(bars, labels).properties(title=_("Common triggers")),
                  _bar_height(len(data)))


def craving_heatmap(frame: pd.DataFrame) -> alt.Chart | None:
    """Weekday × hour grid of craving counts (all 168 cells); None if there are none."""
    if _is_empty(frame, "count") or frame["count"].fillna(0).sum() <= 0:
        return None
    counts = frame.groupby(["weekday", "hour"])["count"].sum()
    grid = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    data = counts.reindex(grid, fill_value=0).reset_index()
    data["count"] = data["count"].astype(int)
    names = weekdays()
    data["day"] = [names[w] for w in data["weekday"]]
    data["day_name"] = [calendar.day_name[w] if i18n.current() == i18n.DEFAULT else
                        i18n.weekday_name(_A_MONDAY + dt.timedelta(days=w)) for w in
                        data["weekday"]]
    data["time"] = [f"{_hour_label(h)}–{_hour_label((h + 1) % 24)}" for h in data["hour"]]
    hour_labels = ("datum.value == 0 ? '12a' : datum.value < 12 ? datum.value + 'a' : "
                   "datum.value == 12 ? '12p' : (datum.value - 12) + 'p'")
    chart = alt.Chart(data).mark_rect(stroke=BACKGROUND, strokeWidth=1).encode(
        x=alt.X("hour:O", title=_("Hour of day"), sort=list(range(24)),
                axis=alt.Axis(values=[0, 6, 12, 18], labelExpr=hour_labels, labelAngle=0)),
        y=alt.Y("day:O", title=None, sort=names),
        color=alt.Color("count:Q", title=_("Cravings"), scale=alt.Scale(range=[LIGHT, PRIMARY]),
                        legend=alt.Legend(gradientLength=160, format="d", tickMinStep=1)),
        tooltip=[alt.Tooltip("day_name:N", title=_("Day")),
                 alt.Tooltip("time:N", title=_("Time")),
                 alt.Tooltip("count:Q", title=_("Cravings"))],
    ).properties(title=_("When cravings show up"))
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
    data["week_label"] = [_short_day(w) for w in data["week"]]
    data["result"] = [gettext(OUTCOMES[o][0]) for o in data["outcome"]]
    data["order"] = [list(OUTCOMES).index(o) for o in data["outcome"]]
    labels, colours = zip(*((gettext(label), colour) for label, colour in OUTCOMES.values()))
    chart = alt.Chart(data).mark_bar().encode(
        x=alt.X("week_label:O", title=_("Week of"),
                sort=list(dict.fromkeys(data["week_label"])),
                axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("count:Q", title=_("Cravings"), axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("result:N", title=None,
                        scale=alt.Scale(domain=list(labels), range=list(colours))),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("week_label:N", title=_("Week of")),
                 alt.Tooltip("result:N", title=_("How it ended")),
                 alt.Tooltip("count:Q", title=_("Cravings"))],
    ).properties(title=_("How cravings ended"))
    return _style(chart, 220)


def calendar_cells(days: set[dt.date], month: dt.date,
                   start: dt.date | None = None) -> pd.DataFrame:
    """One row per day of ``month`` — or, given ``start``, of ``start``..``month`` (the chosen
    period, across months): column (0=Mon), week row, day number and check-in flag."""
    first = start or month.replace(day=1)
    last = month if start else first.replace(
        day=calendar.monthrange(first.year, first.month)[1])
    offset = first.weekday()
    names = weekdays()
    rows = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        rows.append({"day": day.day, "weekday": names[day.weekday()],
                     "week": (n + offset) // 7, "date": _long_day(day),
                     "checked_in": day in days,
                     "status": _("Checked in") if day in days else _("No check-in")})
    return pd.DataFrame(rows)


def checkin_calendar(days: set[dt.date], month: dt.date,
                     start: dt.date | None = None) -> alt.LayerChart | None:
    """Week rows (Mon–Sun) with check-in days filled: ``month``'s, or the period from
    ``start`` to ``month`` (its last day); None if no check-ins in it."""
    data = calendar_cells(days, month, start)
    if not data["checked_in"].any():
        return None
    base = alt.Chart(data).encode(
        x=alt.X("weekday:O", sort=weekdays(), title=None, scale=alt.Scale(paddingInner=0.12),
                axis=alt.Axis(orient="top", labelAngle=0, domain=False, ticks=False)),
        y=alt.Y("week:O", title=None, axis=None, scale=alt.Scale(paddingInner=0.12)),
        tooltip=[alt.Tooltip("date:N", title=_("Day")), alt.Tooltip("status:N", title="")])
    checked = alt.datum.checked_in
    cells = base.mark_rect(cornerRadius=4, strokeWidth=1).encode(
        fill=alt.condition(checked, alt.value(PRIMARY), alt.value("#ffffff")),
        stroke=alt.condition(checked, alt.value(PRIMARY), alt.value(GRID)))
    numbers = base.mark_text(fontSize=13).encode(
        text="day:Q", color=alt.condition(checked, alt.value("#ffffff"), alt.value(TEXT)))
    weeks = int(data["week"].max()) + 1
    title = (_month(month) if start is None
             else _("Check-ins, {start} – {end}").format(start=_short_day(start),
                                                         end=_short_day(month)))
    chart = alt.layer(cells, numbers).properties(title=title)
    return _style(chart, max(160, min(38 * weeks, 520)))


def what_works(frame: pd.DataFrame) -> alt.LayerChart | None:
    """Strategies by average fall in craving, labelled with how often used; None if empty."""
    if _is_empty(frame, "avg_drop"):
        return None
    data = (frame.dropna(subset=["avg_drop"])
            .sort_values(["avg_drop", "uses"], ascending=[False, False]).head(10)
            .reset_index(drop=True))
    data["strategy"] = [i18n.clinic_label(s) for s in data["strategy"]]  # the clinic's own
    data["n"] = [f"n={int(u)}" for u in data["uses"]]
    data["avg_drop"] = data["avg_drop"].round(2)
    low, high = min(0.0, float(data["avg_drop"].min())), max(1.0, float(data["avg_drop"].max()))
    base = alt.Chart(data).encode(
        y=alt.Y("strategy:N", sort=list(data["strategy"]), title=None,
                axis=alt.Axis(labelLimit=130)),
        x=alt.X("avg_drop:Q", title=_("Average drop in craving (0–10)"),
                axis=alt.Axis(tickCount=4), scale=alt.Scale(domain=[low, high * 1.3], nice=False)),
        tooltip=[alt.Tooltip("strategy:N", title=_("Strategy")),
                 alt.Tooltip("avg_drop:Q", title=_("Average drop"), format=".1f"),
                 alt.Tooltip("uses:Q", title=_("Times used"))])
    bars = base.mark_bar(color=PRIMARY, cornerRadiusEnd=3)
    labels = base.mark_text(align="left", dx=4, fontSize=12, color=TEXT).encode(text="n:N")
    return _style(alt.layer(bars, labels).properties(title=_("What helps")),
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
        tooltip=[alt.Tooltip("day:T", title=_("Day"), format=_("%a %b %-d")),
                 alt.Tooltip(f"{field}:Q", title=gettext(field.replace("_", " ").capitalize()))])
    return (chart.properties(width="container", height=48)
            .configure(background="transparent", padding=2, **_locale())
            .configure_view(stroke=None))


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
        color=alt.Color("shade:N", scale=None), tooltip=[alt.Tooltip("label:N", title=_("Band"))])
    labels = alt.Chart(band_frame).mark_text(align="left", baseline="middle", dx=4, fontSize=11,
                                             color=GREY).encode(
        y=alt.Y("mid:Q", scale=y), x=alt.value(0), text="label:N").transform_calculate(
        mid="(datum.low + datum.high) / 2")
    line = alt.Chart(data).mark_line(color=PRIMARY, strokeWidth=3, point=alt.OverlayMarkDef(
        color=PRIMARY, size=60, filled=True)).encode(
        x=alt.X("day:T", title=None, axis=alt.Axis(format=_("%b %-d"), tickCount=4)),
        y=alt.Y("value:Q", scale=y, title=_("Score")),
        tooltip=[alt.Tooltip("day:T", title=_("Day"), format=_("%a %b %-d")),
                 alt.Tooltip("value:Q", title=_("Score"))])
    return _style(alt.layer(rects, labels, line).properties(title=title), 220)
