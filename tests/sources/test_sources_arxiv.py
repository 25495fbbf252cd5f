"""``arxiv.parse`` on the 20 recorded arXiv export-API calls (``../shared/data/api/arxiv``),
replayed by a real HTTP server on 127.0.0.1 at their recorded paths with their recorded
status, fetched with the real ``HttpClient``.

No rss.arxiv.org capture is recorded in the shared data, so the daily-feed tests render
recorded API papers into the RSS 2.0 and Atom shapes that arXiv documents for
rss.arxiv.org (``arxiv:announce_type``, ``dc:creator``, the ``arXiv:<id> Announce
Type: … Abstract:`` description) and check both views give the same paper identity.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import pytest

from pulseaugur.errors import HTTPStatusError, ParseError, UnsafeXMLError
from pulseaugur.sources import arxiv
from pulseaugur.sources.feeds import ParsedFeed
from pulseaugur.sources.http import HttpClient
from pulseaugur.types import FetchResult, RawItem

from support import require_shared, serve_pages, shared_data_dir

_REL = "api/arxiv"
_FIXTURES = "arxiv_py_fixtures/tests/fixtures"
# Used only to enumerate test parameters; tests read files through ``require_shared``.
_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / _REL
_FILES = (
    sorted(str(p.relative_to(_DIR)) for p in _DIR.rglob("*") if p.is_file())
    if _DIR.is_dir()
    else ["(none)"]
)
_ATOM_NS = "{http://www.w3.org/2005/Atom}"
ATOM = "application/atom+xml; charset=utf-8"


def _data() -> Path:
    return require_shared(shared_data_dir() / _REL)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def _fetch_all(
    pages: dict[str, tuple[int, str, bytes]],
) -> dict[str, FetchResult | HTTPStatusError]:
    """Serve ``pages`` on 127.0.0.1 and GET every path with the real client."""

    async def one(client: HttpClient, url: str) -> FetchResult | HTTPStatusError:
        try:
            return await client.fetch(url)
        except HTTPStatusError as exc:
            return exc

    async def run(base: str) -> dict[str, FetchResult | HTTPStatusError]:
        async with HttpClient(user_agent="test", allow_private_addresses=True) as client:
            return {path: await one(client, base + path) for path in pages}

    with serve_pages(pages) as base:
        return asyncio.run(run(base))


def _recordings() -> list[dict[str, Any]]:
    folder = _data() / _FIXTURES
    return [json.loads(p.read_bytes()) for p in sorted(folder.glob("*.json"))]


def _replayed() -> dict[str, ParsedFeed]:
    """Every recorded 200 call, fetched and parsed, keyed by its recorded URL."""
    recs = [r for r in _recordings() if r["status_code"] == 200]
    fetched = _fetch_all({_path(r["url"]): (200, ATOM, r["body"].encode()) for r in recs})
    out = {}
    for rec in recs:
        result = fetched[_path(rec["url"])]
        assert isinstance(result, FetchResult)
        out[rec["url"]] = arxiv.parse(result.content, url=rec["url"])
    return out


def _check_shape(feed: ParsedFeed) -> None:
    for item in feed.items:
        assert isinstance(item, RawItem)
        raw = item.raw
        assert raw["platform"] == "arxiv"
        assert item.guid == item.url == f"https://arxiv.org/abs/{raw['arxiv_id']}"
        assert "v" not in str(raw["arxiv_id"]).split("/")[-1]
        assert raw["version"] is None or (isinstance(raw["version"], int) and raw["version"] > 0)
        assert str(raw["pdf_url"]).startswith("https://arxiv.org/pdf/")
        assert item.title
        assert "  " not in item.title
        assert "\n" not in item.title
        assert item.summary
        assert not item.summary.startswith(" ")
        assert item.authors
        assert all(a.strip() == a and a for a in item.authors)
        assert item.published is not None
        assert item.published.tzinfo is UTC
        assert item.updated is None or item.updated.tzinfo is UTC
        assert raw["categories"]
        assert all(isinstance(c, str) for c in raw["categories"])
        json.dumps(dict(raw))


def _by_id(feeds: dict[str, ParsedFeed]) -> dict[str, RawItem]:
    return {str(i.raw["arxiv_id"]): i for f in feeds.values() for i in f.items}


# --- the recorded export-API calls ---------------------------------------------------------


def test_every_recorded_call_replays_through_the_parser() -> None:
    recs = _recordings()
    assert len(recs) == 20  # the README says 21; 20 calls are recorded
    fetched = _fetch_all(
        {_path(r["url"]): (r["status_code"], ATOM, r["body"].encode()) for r in recs}
    )
    for rec in recs:
        result = fetched[_path(rec["url"])]
        entries = ET.fromstring(rec["body"]).findall(f"{_ATOM_NS}entry")
        if rec["status_code"] == 400:
            assert isinstance(result, HTTPStatusError)
            assert result.status == 400
            # The error body, as a caller holding it would parse it:
            with pytest.raises(ParseError, match="arXiv API error: incorrect id format for abc"):
                arxiv.parse(rec["body"].encode(), url=rec["url"])
            continue
        assert isinstance(result, FetchResult)
        feed = arxiv.parse(result.content, url=result.url, content_type=result.content_type)
        _check_shape(feed)
        assert len(feed.items) == len(entries)
        assert feed.title is not None
        assert feed.title.startswith("arXiv Query:")


def test_old_style_id_with_journal_ref_and_comment() -> None:
    paper = _by_id(_replayed())["astro-ph/0601001"]
    assert paper.guid == paper.url == "https://arxiv.org/abs/astro-ph/0601001"
    assert paper.title == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina"
    )
    assert paper.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert paper.published == paper.updated == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)
    assert paper.summary is not None
    assert paper.summary.startswith("We derive the frequencies of hot Jupiters (HJs)")
    assert "Gould & Morgan (2003)" in paper.summary
    assert "V_max<17.5" in paper.summary
    assert paper.lang is None
    raw = paper.raw
    assert (raw["version"], raw["primary_category"], raw["categories"]) == (
        1,
        "astro-ph",
        ["astro-ph"],
    )
    assert raw["pdf_url"] == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert raw["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert raw["comment"] is not None
    assert raw["comment"].startswith("62 pages including 16")
    assert raw["announce_type"] is None
    assert raw["doi"] is None


def test_new_style_ids_categories_doi_and_versions() -> None:
    papers = _by_id(_replayed())
    heat = papers["1605.08386"]
    assert heat.title == "Heat-bath random walks with Markov bases"
    assert heat.authors == ("Caprice Stanley", "Tobias Windisch")
    assert heat.raw["primary_category"] == "math.CO"
    assert heat.raw["categories"] == ["math.CO", "math.ST"]
    assert heat.raw["comment"] == "20 pages, 3 figures"

    dl = papers["2202.12139"]
    assert dl.raw["doi"] == "10.1109/ICSTW55395.2022.00035"
    assert dl.raw["categories"] == ["cs.SE", "cs.LG"]

    revised = papers["2005.14124"]  # version 2: published is v1, updated the revision
    assert revised.raw["version"] == 2
    assert revised.raw["pdf_url"] == "https://arxiv.org/pdf/2005.14124v2"
    assert revised.published == datetime(2020, 5, 28, 16, 19, 50, tzinfo=UTC)
    assert revised.updated == datetime(2020, 7, 16, 8, 15, 48, tzinfo=UTC)

    zero = papers["2104.12255"]  # a paper titled "0" keeps its title
    assert zero.title == "0"
    assert zero.raw["primary_category"] == "cs.CR"

    proceedings = papers["1707.08567"]
    assert len(proceedings.authors) == 34
    assert proceedings.authors[0] == "Kees A. Schouhamer Immink"


def test_empty_results_and_paging() -> None:
    feeds = _replayed()
    base = "https://export.arxiv.org/api/query?search_query="
    empty = feeds[
        base + "&id_list=0000.0000&sortBy=relevance&sortOrder=descending&start=0&max_results=100"
    ]
    assert empty.items == ()

    def page(start: int, size: int) -> list[str | None]:
        url = (
            f"{base}testing&id_list=&sortBy=relevance&sortOrder=descending"
            f"&start={start}&max_results={size}"
        )
        return [i.guid for i in feeds[url].items]

    assert page(0, 15)[5:] == page(5, 10)
    assert page(0, 100)[:15] == page(0, 15)
    assert len(set(page(0, 100))) == 100


def test_title_and_abstract_whitespace_is_collapsed() -> None:
    body = (_data() / "api-bodies/id_1605.08386_s0_m100_199195aa31ad.atom.xml").read_bytes()
    wrapped = body.replace(b"Heat-bath random walks", b"Heat-bath\n      random   walks").replace(
        b"Graphs on lattice", b"\n  Graphs on\n  lattice"
    )
    paper = arxiv.parse(wrapped, url="u").items[0]
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.summary is not None
    assert paper.summary.startswith("Graphs on lattice points")


# --- the daily announcement feeds (rss.arxiv.org) -------------------------------------------

_ANNOUNCED = (("2202.12139", "new"), ("2005.14124", "replace"), ("1605.08386", "cross"))
_PUB_DATE = "Thu, 18 Sep 2025 00:00:00 -0400"


def _recorded_papers() -> list[dict[str, Any]]:
    """The recorded API entries of the papers in ``_ANNOUNCED``, as plain fields."""
    bodies = [p.read_bytes() for p in (_data() / "api-bodies").glob("*.atom.xml")]
    found: dict[str, dict[str, Any]] = {}
    for body in bodies:
        for entry in ET.fromstring(body).findall(f"{_ATOM_NS}entry"):
            vid = (entry.findtext(f"{_ATOM_NS}id") or "").rsplit("/abs/", 1)[-1]
            found[vid.split("v")[0]] = {
                "vid": vid,
                "title": entry.findtext(f"{_ATOM_NS}title"),
                "abstract": entry.findtext(f"{_ATOM_NS}summary"),
                "authors": [a.findtext(f"{_ATOM_NS}name") for a in entry.iter(f"{_ATOM_NS}author")],
                "categories": [c.get("term") for c in entry.iter(f"{_ATOM_NS}category")],
                "doi": entry.findtext("{http://arxiv.org/schemas/atom}doi"),
            }
    return [{**found[pid], "type": kind} for pid, kind in _ANNOUNCED]


def _rss(papers: list[dict[str, Any]]) -> bytes:
    items = "".join(
        f"""
    <item>
      <title>{escape(p["title"])}</title>
      <link>https://arxiv.org/abs/{p["vid"].split("v")[0]}</link>
      <description>arXiv:{p["vid"]} Announce Type: {p["type"]} \nAbstract: {
            escape(p["abstract"])
        }</description>
      <guid isPermaLink="false">oai:arXiv.org:{p["vid"]}</guid>
      {"".join(f"<category>{c}</category>" for c in p["categories"])}
      <pubDate>{_PUB_DATE}</pubDate>
      <arxiv:announce_type>{p["type"]}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      {f"<arxiv:DOI>{p['doi']}</arxiv:DOI>" if p["doi"] else ""}
      <dc:creator>{escape(", ".join(p["authors"]))}</dc:creator>
    </item>"""
        for p in papers
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  version="2.0">
  <channel>
    <title>cs.SE updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.SE</link>
    <description>cs.SE updates on the arXiv.org e-print archive.</description>
    <atom:link href="http://rss.arxiv.org/rss/cs.SE" rel="self" type="application/rss+xml"/>
    <language>en-us</language>
    <lastBuildDate>Thu, 18 Sep 2025 04:00:02 +0000</lastBuildDate>
    <pubDate>{_PUB_DATE}</pubDate>{items}
  </channel>
</rss>""".encode()


def _atom(papers: list[dict[str, Any]]) -> bytes:
    entries = "".join(
        f"""
  <entry>
    <id>oai:arXiv.org:{p["vid"]}</id>
    <title>{escape(p["title"])}</title>
    <updated>2025-09-18T04:00:02.395524+00:00</updated>
    <link href="https://arxiv.org/abs/{p["vid"].split("v")[0]}" rel="alternate" type="text/html"/>
    <summary>arXiv:{p["vid"]} Announce Type: {p["type"]} \nAbstract: {
            escape(p["abstract"])
        }</summary>
    {"".join(f'<category term="{c}"/>' for c in p["categories"])}
    <published>2025-09-18T00:00:00-04:00</published>
    <arxiv:announce_type>{p["type"]}</arxiv:announce_type>
    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
    <dc:creator>{escape(", ".join(p["authors"]))}</dc:creator>
  </entry>"""
        for p in papers
    )
    return f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">
  <id>http://rss.arxiv.org/atom/cs.SE</id>
  <title>cs.SE updates on arXiv.org</title>
  <updated>2025-09-18T04:00:02.395389+00:00</updated>
  <link href="http://rss.arxiv.org/atom/cs.SE" rel="self" type="application/atom+xml"/>
  <subtitle>cs.SE updates on the arXiv.org e-print archive.</subtitle>{entries}
</feed>""".encode()


@pytest.mark.parametrize("shape", ["rss", "atom"])
def test_daily_feed_matches_the_api_view_of_the_same_papers(shape: str) -> None:
    papers = _recorded_papers()
    body = _rss(papers) if shape == "rss" else _atom(papers)
    path = urlsplit(arxiv.rss_url("cs.SE") if shape == "rss" else arxiv.atom_url("cs.SE")).path
    fetched = _fetch_all({path: (200, "application/xml", body)})[path]
    assert isinstance(fetched, FetchResult)
    feed = arxiv.parse(fetched.content, url=fetched.url, content_type=fetched.content_type)
    _check_shape(feed)
    assert feed.title == "cs.SE updates on arXiv.org"
    assert feed.lang == "en"

    api = _by_id(_replayed())
    announced = datetime(2025, 9, 18, 4, 0, tzinfo=UTC)
    for item, (pid, kind) in zip(feed.items, _ANNOUNCED, strict=True):
        same = api[pid]
        assert item.guid == same.guid
        assert item.url == same.url
        assert item.title == same.title
        assert item.summary == same.summary
        assert item.authors == same.authors
        assert item.published == announced
        assert item.updated is None
        assert item.lang == "en"
        raw = item.raw
        assert raw["announce_type"] == kind
        assert raw["version"] == same.raw["version"]
        assert raw["categories"] == same.raw["categories"]
        assert raw["primary_category"] is None  # the daily feeds do not say
        assert raw["pdf_url"] == same.raw["pdf_url"]
        assert raw["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert feed.items[0].raw["doi"] == ("10.1109/ICSTW55395.2022.00035" if shape == "rss" else None)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["xmlbomb.xml", "xmlbomb2.xml", "quadratic.xml", "cyclic.xml", "external.xml"]
)
def test_entity_declarations_are_refused(name: str) -> None:
    body = require_shared(shared_data_dir() / "hostile/defusedxml" / name).read_bytes()
    with pytest.raises(UnsafeXMLError):
        arxiv.parse(body, url=f"https://x/{name}")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"<html><body>503 Service Unavailable</body></html>", "root element html"),
        (b'{"entries": []}', "malformed XML"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>", "malformed XML"),
        (b"<rss version='2.0'/>", "root element rss"),
    ],
)
def test_non_feeds_raise_a_clear_parse_error(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        arxiv.parse(body, url="https://export.arxiv.org/api/query?x")


@pytest.mark.parametrize("name", _FILES)
def test_every_recorded_file_parses_or_raises_parse_error(name: str) -> None:
    body = (_data() / name).read_bytes()
    outcome: ParsedFeed | ParseError
    try:
        outcome = arxiv.parse(body, url=f"https://export.arxiv.org/{name}")
    except ParseError as exc:
        outcome = exc
    if isinstance(outcome, ParseError):
        assert "\n" not in str(outcome)
        # Only the error body, the recordings' JSON wrappers and the licence are refused.
        assert not name.startswith("api-bodies/") or "id_abc" in name, outcome
    else:
        _check_shape(outcome)


# --- URL builders ------------------------------------------------------------------------------


def test_url_builders() -> None:
    assert arxiv.query_url("cs.AI", max_results=50) == (
        "https://export.arxiv.org/api/query?search_query=cat%3Acs.AI&sortBy=submittedDate"
        "&sortOrder=descending&start=0&max_results=50"
    )
    assert arxiv.query_url(["cs.AI", "cs.LG"], sort_by="lastUpdatedDate").startswith(
        "https://export.arxiv.org/api/query?search_query=cat%3Acs.AI+OR+cat%3Acs.LG"
        "&sortBy=lastUpdatedDate"
    )
    assert arxiv.rss_url("cs.AI") == "https://rss.arxiv.org/rss/cs.AI"
    assert arxiv.rss_url(["cs.AI", "stat.ML", "hep-th"]) == (
        "https://rss.arxiv.org/rss/cs.AI+stat.ML+hep-th"
    )
    assert arxiv.atom_url("astro-ph.HE") == "https://rss.arxiv.org/atom/astro-ph.HE"
    with pytest.raises(ValueError, match="not arXiv categories"):
        arxiv.rss_url("cs.AI OR 1=1")
    with pytest.raises(ValueError, match="not arXiv categories"):
        arxiv.rss_url([])
    with pytest.raises(ValueError, match="max_results"):
        arxiv.query_url("cs.AI", max_results=0)
    with pytest.raises(ValueError, match="start not negative"):
        arxiv.query_url("cs.AI", start=-1)
    with pytest.raises(ValueError, match="sort_by"):
        arxiv.query_url("cs.AI", sort_by="random")
