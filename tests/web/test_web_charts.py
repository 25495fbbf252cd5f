"""The inline SVG charts: accessible, escaped, no inline style, sane geometry."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from pulseaugur.web import charts

NOW = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_is_accessible_and_escaped() -> None:
    svg = charts.bar_chart(
        "c1",
        [charts.Bar("<b>models</b>", 4, "/topics/models"), charts.Bar("AI", 1)],
        title="Events & topics",
        desc="models: 4, AI: 1",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "Events & topics"  # type: ignore[union-attr]
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg
    assert "style" not in svg
    widths = [int(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0


def test_buckets_and_sparkline() -> None:
    moments = [NOW - timedelta(hours=h) for h in (1, 2, 7, 47, 49)]
    counts = charts.buckets(moments, NOW - timedelta(hours=48), NOW, 8)
    assert counts == [1, 0, 0, 0, 0, 0, 1, 2]  # 49 h ago is outside
    root = parse(charts.sparkline("s", counts, title="t", desc="d"))
    assert len(list(root.iter(f"{SVG}rect"))) == 8


def test_step_chart_rises_once_per_item() -> None:
    moments = [NOW, NOW + timedelta(minutes=30), NOW + timedelta(minutes=50)]
    svg = charts.step_chart(
        "cov",
        moments,
        start=NOW,
        end=NOW + timedelta(hours=1),
        title="Coverage over time",
        desc="3 items",
        start_label="12:00",
        end_label="13:00",
    )
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    line = root.find(f"{SVG}polyline")
    assert line is not None
    ys = [float(p.split(",")[1]) for p in line.get("points", "").split()]
    assert ys == sorted(ys, reverse=True)  # never falls: a cumulative count
