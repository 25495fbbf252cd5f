"""Charts as inline SVG: no script, no chart library, nothing fetched.

Each chart is an ``<svg class="chart …" role="img">`` with a ``<title>`` and a ``<desc>``
(which states the values in words, for screen readers) referenced by
``aria-labelledby``. Colours come from CSS classes in ``style.css`` (the CSP forbids
``style`` attributes); geometry uses SVG presentation attributes only. Every text given
is escaped here: the results are ``Markup``, safe to place in a template as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a bar chart: its label, its value and (optionally) where it links."""

    label: str
    value: int
    href: str | None = None


def _e(text: str) -> str:
    return escape(text, quote=True)


def _svg(
    chart_id: str, kind: str, width: int, height: int, title: str, desc: str, body: list[str]
) -> Markup:
    head = (
        f'<svg class="chart {kind}" id="{_e(chart_id)}" role="img" '
        f'aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>'
        f'<desc id="{_e(chart_id)}-d">{_e(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(
    chart_id: str, bars: Sequence[Bar], *, title: str, desc: str, width: int = 480
) -> Markup:
    """Horizontal bars, one row per ``Bar``, longest scaled to the chart's width; each row
    shows its label and value as text (a link when the bar has ``href``)."""
    row, label_w, value_w = 22, 150, 40
    height = max(row * len(bars), row)
    peak = max((b.value for b in bars), default=0) or 1
    span = width - label_w - value_w
    body: list[str] = []
    for n, bar in enumerate(bars):
        y = n * row
        length = 0 if bar.value <= 0 else max(2, round(span * bar.value / peak))
        label = f'<text class="label" x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
        label += f"{_e(bar.label)}</text>"
        if bar.href:
            label = f'<a href="{_e(bar.href)}">{label}</a>'
        body.append(label)
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{length}" height="{row - 8}"/>'
        )
        body.append(
            f'<text class="value" x="{label_w + length + 4}" y="{y + 15}">{bar.value}</text>'
        )
    return _svg(chart_id, "bars", width, height, title, desc, body)


def buckets(moments: Sequence[datetime], start: datetime, end: datetime, count: int) -> list[int]:
    """How many of ``moments`` fall in each of ``count`` equal slices of ``[start, end)``
    (moments outside are left out)."""
    counts = [0] * count
    span = (end - start).total_seconds()
    if span <= 0 or count <= 0:
        return counts
    for moment in moments:
        offset = (moment - start).total_seconds()
        if 0 <= offset < span:
            counts[min(int(offset / span * count), count - 1)] += 1
    return counts


def sparkline(chart_id: str, counts: Sequence[int], *, title: str, desc: str) -> Markup:
    """A small column chart of ``counts`` (e.g. events per 6 hours), oldest on the left."""
    column, gap, height = 8, 2, 24
    width = max(len(counts) * (column + gap), column)
    peak = max(counts, default=0) or 1
    body = [f'<line class="axis" x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}"/>']
    for n, value in enumerate(counts):
        h = 0 if value <= 0 else max(2, round((height - 2) * value / peak))
        x = n * (column + gap)
        body.append(f'<rect class="bar" x="{x}" y="{height - h}" width="{column}" height="{h}"/>')
    return _svg(chart_id, "spark", width, height, title, desc, body)


def step_chart(
    chart_id: str,
    moments: Sequence[datetime],
    *,
    start: datetime,
    end: datetime,
    title: str,
    desc: str,
    start_label: str,
    end_label: str,
    width: int = 480,
    height: int = 120,
) -> Markup:
    """A cumulative count over time: a step line rising by one at each of ``moments``
    (clamped to ``[start, end]``), a dot per moment, the total at the end, and the two
    ends of the time axis labelled."""
    left, right, top, bottom = 28, 12, 10, 24
    inner_w, inner_h = width - left - right, height - top - bottom
    ordered = sorted(min(max(m, start), end) for m in moments)
    total = len(ordered)
    span = max((end - start).total_seconds(), 1.0)

    def x_of(moment: datetime) -> float:
        return round(left + inner_w * (moment - start).total_seconds() / span, 1)

    def y_of(count: int) -> float:
        return round(top + inner_h * (1 - count / max(total, 1)), 1)

    points = [f"{left},{y_of(0)}"]
    for n, moment in enumerate(ordered, start=1):
        x = x_of(moment)
        points.append(f"{x},{y_of(n - 1)}")
        points.append(f"{x},{y_of(n)}")
    points.append(f"{left + inner_w},{y_of(total)}")
    base = top + inner_h
    body = [
        f'<line class="axis" x1="{left}" y1="{base}" x2="{left + inner_w}" y2="{base}"/>',
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{base}"/>',
        f'<text class="tick" x="{left - 4}" y="{top + 8}" text-anchor="end">{total}</text>',
        f'<text class="tick" x="{left - 4}" y="{base}" text-anchor="end">0</text>',
        f'<polyline class="line" fill="none" points="{" ".join(points)}"/>',
    ]
    for n, moment in enumerate(ordered, start=1):
        body.append(f'<circle class="dot" cx="{x_of(moment)}" cy="{y_of(n)}" r="3"/>')
    body.append(f'<text class="tick" x="{left}" y="{height - 6}">{_e(start_label)}</text>')
    body.append(
        f'<text class="tick" x="{left + inner_w}" y="{height - 6}" text-anchor="end">'
        f"{_e(end_label)}</text>"
    )
    return _svg(chart_id, "steps", width, height, title, desc, body)


def padded_span(moments: Sequence[datetime], minimum: timedelta) -> tuple[datetime, datetime]:
    """A time axis for ``moments``: from the first to the last, at least ``minimum`` long
    (extended at the end). ``moments`` must not be empty."""
    first, last = min(moments), max(moments)
    return first, max(last, first + minimum)
