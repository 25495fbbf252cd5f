"""normalize_item: unit cases, every replay line, and every entry of the real AI-lab feeds."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as SafeET
import pytest

from pulseaugur.dedup.keys import ITEM_ID_HEX_CHARS, content_hash, item_id
from pulseaugur.normalize.item import clean_authors, json_safe, normalize_item
from pulseaugur.normalize.text import looks_like_html
from pulseaugur.types import Item, RawItem, Source

FETCHED = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
HEX_ID = re.compile(rf"^[0-9a-f]{{{ITEM_ID_HEX_CHARS}}}$")
HEX_HASH = re.compile(r"^[0-9a-f]{64}$")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

SOURCE = Source(
    id="anthropic-news",
    kind="feed",
    url="https://www.anthropic.com/news/rss.xml",
    name="Anthropic News",
    outlet="Anthropic",
    tier=1,
    primary=True,
)


def raw_item(**changes: Any) -> RawItem:
    """A real Anthropic news entry (replay corpus); keyword arguments replace fields."""
    base = RawItem(
        guid="https://www.anthropic.com/news/announcing-our-updated-responsible-scaling-policy",
        url="https://www.anthropic.com/news/announcing-our-updated-responsible-scaling-policy?utm_source=rss",
        title="Announcing our updated Responsible Scaling Policy",
        summary=(
            "Today we are publishing a significant update to our Responsible Scaling Policy "
            "(RSP), the risk governance framework we use to mitigate potential catastrophic "
            "risks from frontier AI systems."
        ),
        content=(
            "<p>Today we are publishing a significant update to our <a href='/rsp'>Responsible "
            "Scaling Policy</a> (RSP).</p><script>track()</script><p>Key improvements include "
            "new capability thresholds.</p>"
        ),
        authors=("Anthropic",),
        published=datetime(2024, 10, 15, 16, 0, tzinfo=UTC),
        updated=None,
        lang="en-US",
        raw={"id": "rsp-update", "tags": ("policy",)},
    )
    return replace(base, **changes)


def assert_valid_item(item: Item) -> None:
    assert HEX_ID.match(item.id), item.id
    assert HEX_HASH.match(item.content_hash)
    assert item.title
    assert item.title == item.title.strip()
    assert "\n" not in item.title
    assert re.fullmatch(r"[a-z]{2}", item.lang)
    assert item.title_en in (item.title, "")
    assert (item.title_en == item.title) == (item.lang == "en")
    assert len(item.excerpt) <= 280
    assert not looks_like_html(item.body)
    assert not looks_like_html(item.title)
    assert item.published_at.tzinfo is UTC
    assert item.fetched_at.tzinfo is UTC
    assert item.published_at <= item.fetched_at + timedelta(days=1)
    assert item.date_flag in (None, "missing", "future")
    if item.canonical_url is not None:
        assert item.canonical_url.startswith("https://")
    json.dumps(item.raw_json)


# ---- unit cases -----------------------------------------------------------------------


def test_full_entry() -> None:
    item = normalize_item(raw_item(), SOURCE, FETCHED)
    assert item is not None
    assert_valid_item(item)
    assert item.source_id == "anthropic-news"
    assert item.title == "Announcing our updated Responsible Scaling Policy"
    assert item.title_en == item.title
    assert item.lang == "en"
    assert item.body == (
        "Today we are publishing a significant update to our Responsible Scaling Policy "
        "(RSP).\n\nKey improvements include new capability thresholds."
    )
    assert item.excerpt.startswith("Today we are publishing a significant update")
    assert item.url_original == raw_item().url
    assert item.canonical_url == (
        "https://anthropic.com/news/announcing-our-updated-responsible-scaling-policy"
    )
    assert item.published_at == datetime(2024, 10, 15, 16, 0, tzinfo=UTC)
    assert item.date_flag is None
    assert item.fetched_at == FETCHED
    assert item.authors == ("Anthropic",)
    assert item.content_hash == content_hash(item.title, item.body)
    assert item.id == item_id(SOURCE.id, raw_item().guid, item.canonical_url, item.content_hash)
    assert item.raw_json == {"id": "rsp-update", "tags": ["policy"]}


def test_same_entry_same_id_and_hash() -> None:
    first = normalize_item(raw_item(), SOURCE, FETCHED)
    again = normalize_item(raw_item(), SOURCE, FETCHED + timedelta(hours=3))
    assert first is not None
    assert again is not None
    assert (first.id, first.content_hash) == (again.id, again.content_hash)


def test_id_falls_back_to_canonical_url_then_hash() -> None:
    by_url = normalize_item(raw_item(guid=None), SOURCE, FETCHED)
    tracked = normalize_item(
        raw_item(guid="  ", url=raw_item().url + "&fbclid=abc"), SOURCE, FETCHED
    )
    assert by_url is not None
    assert tracked is not None
    assert by_url.id == tracked.id
    by_hash = normalize_item(raw_item(guid=None, url=None), SOURCE, FETCHED)
    assert by_hash is not None
    assert by_hash.canonical_url is None
    assert by_hash.id == item_id(SOURCE.id, None, None, by_hash.content_hash)
    assert len({by_url.id, by_hash.id}) == 2


def test_neither_title_nor_url_is_dropped() -> None:
    assert normalize_item(raw_item(title=None, url=None), SOURCE, FETCHED) is None
    assert normalize_item(raw_item(title="  <b> </b> ", url="   "), SOURCE, FETCHED) is None


def test_missing_title_falls_back_to_body() -> None:
    item = normalize_item(raw_item(title=None), SOURCE, FETCHED)
    assert item is not None
    assert item.title.startswith("Today we are publishing a significant update")
    assert len(item.title) <= 100


def test_missing_title_and_body_falls_back_to_url() -> None:
    item = normalize_item(raw_item(title="", summary=None, content=None), SOURCE, FETCHED)
    assert item is not None
    assert item.title == "announcing our updated responsible scaling policy"
    assert item.body == ""
    assert item.excerpt == ""
    bare = normalize_item(
        raw_item(title="", summary=None, content=None, url="https://www.anthropic.com/"),
        SOURCE,
        FETCHED,
    )
    assert bare is not None
    assert bare.title == "anthropic.com"


def test_content_without_text_falls_back_to_summary() -> None:
    item = normalize_item(raw_item(content="<img src='chart.png'>"), SOURCE, FETCHED)
    assert item is not None
    assert item.body.startswith("Today we are publishing")


def test_excerpt_prefers_summary() -> None:
    item = normalize_item(raw_item(summary="<p>Short <b>teaser</b>.</p>"), SOURCE, FETCHED)
    assert item is not None
    assert item.excerpt == "Short teaser."
    no_summary = normalize_item(raw_item(summary=None), SOURCE, FETCHED)
    assert no_summary is not None
    assert no_summary.excerpt.startswith("Today we are publishing a significant update")


def test_dates() -> None:
    missing = normalize_item(raw_item(published=None), SOURCE, FETCHED)
    assert missing is not None
    assert (missing.published_at, missing.date_flag) == (FETCHED, "missing")
    updated_only = normalize_item(
        raw_item(published=None, updated=datetime(2024, 10, 16, tzinfo=UTC)), SOURCE, FETCHED
    )
    assert updated_only is not None
    assert updated_only.published_at == datetime(2024, 10, 16, tzinfo=UTC)
    assert updated_only.date_flag is None
    future = normalize_item(raw_item(published=FETCHED + timedelta(days=30)), SOURCE, FETCHED)
    assert future is not None
    assert (future.published_at, future.date_flag) == (FETCHED, "future")
    naive = normalize_item(raw_item(), SOURCE, datetime(2026, 9, 1, 12, 0))
    assert naive is not None
    assert naive.fetched_at == FETCHED


def test_non_english_item_has_no_fake_translation() -> None:
    item = normalize_item(
        raw_item(
            guid="seoul",
            url="https://cohere.com/blog/seoul-office",
            title="코히어, 서울에 APAC 허브 설립 발표",
            summary="새로운 서울 허브를 바탕으로 아시아 태평양 지역으로 확장\n",
            content=None,
            lang="en",
        ),
        SOURCE,
        FETCHED,
    )
    assert item is not None
    assert item.lang == "ko"
    assert item.title_en == ""
    assert item.title == "코히어, 서울에 APAC 허브 설립 발표"


def test_source_language_is_the_hint_when_entry_declares_none() -> None:
    german = replace(SOURCE, id="heise", languages=("de",))
    item = normalize_item(
        raw_item(
            lang=None,
            title="Java-Anwendungsserver: Red Hat gibt WildFly 10 frei",
            summary=None,
            content=None,
        ),
        german,
        FETCHED,
    )
    assert item is not None
    assert item.lang == "de"
    assert item.title_en == ""


def test_changelog_entries_keep_distinct_canonical_urls() -> None:
    """Windsurf's changelog feed links every entry to one page plus an anchor."""
    urls = ["https://windsurf.com/changelog#1.0.2", "https://windsurf.com/changelog#1.0.3"]
    items = [
        normalize_item(raw_item(guid=None, url=u, title=f"Release {u[-5:]}"), SOURCE, FETCHED)
        for u in urls
    ]
    canon = {i.canonical_url for i in items if i is not None}
    assert canon == set(urls)


def test_hostile_content_is_neutralized() -> None:
    item = normalize_item(
        raw_item(
            title='<img src=x onerror="alert(1)">Breaking &amp; <script>alert(2)</script>news',
            summary='<a href="javascript:alert(3)">Read more</a>',
            content="<iframe src='https://evil.example'></iframe><p onclick='x()'>Body</p>",
        ),
        SOURCE,
        FETCHED,
    )
    assert item is not None
    assert item.title == "Breaking & news"
    assert item.excerpt == "Read more"
    assert item.body == "Body"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (("Jane Doe",), ("Jane Doe",)),
        (("  Jane   Doe ", "", "   "), ("Jane Doe",)),
        (("jane@example.com (Jane Doe)",), ("Jane Doe",)),
        (("Jane Doe <jane@example.com>",), ("Jane Doe",)),
        (("jane@example.com", "Jane Doe"), ("Jane Doe",)),
        (("jane@example.com",), ("jane@example.com",)),
        (("jane@example.com", "JANE@example.com"), ("jane@example.com",)),
        (("Jane Doe", "jane doe", "John Roe"), ("Jane Doe", "John Roe")),
        (("<b>Jane</b> &amp; John",), ("Jane & John",)),
        (("noreply@blogger.com (Unknown)", "Kyle Wiggers"), ("Unknown", "Kyle Wiggers")),
        ((), ()),
    ],
)
def test_clean_authors(authors: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert clean_authors(authors) == expected


def test_json_safe() -> None:
    value = {
        "when": datetime(2025, 1, 1, tzinfo=UTC),
        "tags": ("a", "b"),
        "nested": {1: b"bytes\xff", "nan": float("nan")},
        "obj": object,
        "ok": [1, 2.5, None, True],
    }
    safe = json_safe(value)
    json.dumps(safe, allow_nan=False)
    assert safe["when"] == "2025-01-01T00:00:00+00:00"
    assert safe["tags"] == ["a", "b"]
    assert safe["nested"] == {"1": "bytes\ufffd", "nan": None}
    assert safe["ok"] == [1, 2.5, None, True]


# ---- the replay corpus: every line ----------------------------------------------------


def _raw_from_replay(row: dict[str, Any]) -> RawItem:
    published = row.get("published_at")
    return RawItem(
        guid=None,
        url=row.get("url"),
        title=row.get("title"),
        summary=row.get("summary"),
        content=row.get("content_html"),
        authors=tuple(row.get("authors") or ()),
        published=datetime.fromisoformat(published) if published else None,
        updated=None,
        lang=None,
        raw=row,
    )


@pytest.mark.slow
def test_every_replay_line_normalizes(replay_rows: list[dict[str, Any]]) -> None:
    source = replace(SOURCE, id="replay", primary=False)
    raws = [_raw_from_replay(row) for row in replay_rows]
    started = time.perf_counter()
    items = [normalize_item(raw, source, FETCHED) for raw in raws]
    elapsed = time.perf_counter() - started
    assert len(items) == len(replay_rows) > 10_000
    langs: dict[str, int] = {}
    for raw, item in zip(raws, items, strict=True):
        assert item is not None, raw
        assert_valid_item(item)
        assert item.canonical_url is not None, raw.url
        assert item.url_original == raw.url
        langs[item.lang] = langs.get(item.lang, 0) + 1
    # Ids are a function of identity: equal canonical URLs (no guid here) give equal ids.
    by_url: dict[str, str] = {}
    for item in items:
        assert item is not None
        assert item.canonical_url is not None
        assert by_url.setdefault(item.canonical_url, item.id) == item.id
    assert langs["en"] > 0.98 * len(items)
    assert langs.get("de", 0) > 50  # the German AI First podcast notes
    # Generous bound: about 0.2 ms per item on a developer machine.
    assert elapsed / len(items) < 0.005, f"{elapsed / len(items) * 1e3:.2f} ms per item"


# ---- the real AI-lab feeds: every entry -----------------------------------------------


def _feed_entries(path: Path) -> tuple[str | None, list[RawItem]]:
    root = SafeET.parse(path).getroot()
    channel = root.find("channel")
    lang = channel.findtext("language") if channel is not None else None
    entries: list[RawItem] = []
    for element in root.iter("item"):
        date = element.findtext("pubDate")
        try:
            published = parsedate_to_datetime(date) if date else None
        except (TypeError, ValueError):
            published = None
        creators = [c.text or "" for c in element.findall(DC_CREATOR)]
        creators += [a.text or "" for a in element.findall("author")]
        entries.append(
            RawItem(
                guid=element.findtext("guid"),
                url=element.findtext("link"),
                title=element.findtext("title"),
                summary=element.findtext("description"),
                content=element.findtext(CONTENT),
                authors=tuple(creators),
                published=published,
                updated=None,
                lang=lang,
                raw={"file": path.name},
            )
        )
    return lang, entries


def test_every_ai_lab_feed_entry_normalizes(ai_lab_feeds: Path) -> None:
    total = 0
    for path in sorted(ai_lab_feeds.rglob("*.xml")):
        _, entries = _feed_entries(path)
        source = replace(SOURCE, id=path.stem)
        ids: set[str] = set()
        for raw in entries:
            item = normalize_item(raw, source, FETCHED)
            if item is None:
                assert not (raw.title or "").strip()
                assert not (raw.url or "").strip()
                continue
            assert_valid_item(item)
            ids.add(item.id)
            total += 1
        assert ids or not entries, path.name
    assert total > 3000
