"""Operators manage sources: discovery, OPML, and the ``pulseaugur sources`` commands
against a real local server serving real captured pages and feeds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pulseaugur.cli import main
from pulseaugur.errors import ParseError, UnsafeXMLError
from pulseaugur.sources.discovery import discover_feeds
from pulseaugur.sources.manage import sources_from_opml
from pulseaugur.sources.opml import read_opml, write_opml
from pulseaugur.sources.registry import load_registry

from support import require_shared, serve_pages, shared_data_dir


def _captures() -> Path:
    return require_shared(shared_data_dir() / "feeds" / "real-captures" / "rsparser")


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("DaringFireball.html", ["https://daringfireball.net/feeds/main"]),
        ("sixcolors.html", ["http://feedpress.me/sixcolors"]),
        (
            "coco.html",
            ["https://www.theatlantic.com/feed/all/", "https://www.theatlantic.com/feed/best-of/"],
        ),
        (
            "YouTubeTheVolvoRocks.html",
            ["https://www.youtube.com/feeds/videos.xml?channel_id=UCct7QF2jcWRY6dhXWMSq9LQ"],
        ),
    ],
)
def test_discovery_on_real_pages(page: str, expected: list[str]) -> None:
    base = {
        "DaringFireball.html": "https://daringfireball.net/",
        "coco.html": "https://www.theatlantic.com/",
    }.get(page, "https://example.org/")
    links = discover_feeds((_captures() / page).read_bytes(), base)
    assert [link.url for link in links] == expected


def test_opml_reads_real_subscription_lists() -> None:
    for name in ("Subs.opml", "SubsNoTitleAttributes.opml"):
        feeds = read_opml((_captures() / name).read_bytes(), where=name)
        assert len(feeds) > 10
        assert all(f.xml_url.startswith("http") for f in feeds)
    feeds = read_opml((_captures() / "Subs.opml").read_bytes(), where="Subs.opml")
    assert feeds[0].xml_url == "http://daringfireball.net/feeds/main"
    assert feeds[0].title == "Daring Fireball"


def test_opml_round_trip_keeps_our_fields() -> None:
    registry = load_registry()
    feeds = read_opml(write_opml(registry), where="export")
    added, skipped = sources_from_opml(feeds, [])
    assert skipped == []
    assert [(s.id, s.url, s.tier, s.languages, s.kind) for s in added] == [
        (s.id, s.url, s.tier, s.languages, s.kind) for s in registry
    ]
    again, skipped_again = sources_from_opml(feeds, registry)
    assert again == []
    assert len(skipped_again) == len(registry)


def test_opml_refuses_entities_and_garbage() -> None:
    bomb = require_shared(shared_data_dir() / "hostile" / "defusedxml")
    sample = next(p for p in sorted(bomb.rglob("*.xml")) if b"<!ENTITY" in p.read_bytes())
    with pytest.raises(UnsafeXMLError):
        read_opml(sample.read_bytes(), where=sample.name)
    with pytest.raises(ParseError, match="not an OPML"):
        read_opml(b"<rss><channel/></rss>", where="x")


@pytest.fixture
def site() -> Iterator[str]:
    captures = _captures()
    pages = {
        "/": (200, "text/html", (captures / "DaringFireball.html").read_bytes()),
        "/feeds/main": (
            200,
            "application/atom+xml",
            (captures / "DaringFireball.atom").read_bytes(),
        ),
        "/nothing": (200, "text/html", b"<html><head><title>x</title></head></html>"),
    }
    with serve_pages(pages) as base:
        yield base


def test_sources_commands_end_to_end(site: str, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'sources.sqlite3'}"
    env = {"PULSEAUGUR_ALLOW_PRIVATE_ADDRESSES": "true", "PULSEAUGUR_LOG_LEVEL": "ERROR"}
    runner = CliRunner()

    check = runner.invoke(main, ["sources", "check", f"{site}/"], env=env)
    assert check.exit_code == 0, check.output
    assert f"feed: {site}/feeds/main" in check.output
    assert "Daring Fireball" in check.output

    added = runner.invoke(
        main, ["sources", "add", f"{site}/", "--tier", "3", "--id", "df", "--db", db], env=env
    )
    assert added.exit_code == 0, added.output
    again = runner.invoke(main, ["sources", "add", f"{site}/", "--db", db], env=env)
    assert again.exit_code == 2
    assert "is a source already" in again.output

    def listing() -> dict[str, dict[str, object]]:
        out = runner.invoke(main, ["sources", "list", "--json", "--db", db], env=env)
        assert out.exit_code == 0, out.output
        return {row["id"]: row for row in map(json.loads, out.output.splitlines())}

    rows = listing()
    assert rows["df"]["tier"] == 3
    assert rows["df"]["url"] == f"{site}/feeds/main"
    assert len(rows) == len(load_registry()) + 1

    assert runner.invoke(main, ["sources", "disable", "df", "--db", db], env=env).exit_code == 0
    assert listing()["df"]["enabled"] is False
    assert runner.invoke(main, ["sources", "enable", "df", "--db", db], env=env).exit_code == 0
    assert listing()["df"]["enabled"] is True
    removed = runner.invoke(main, ["sources", "remove", "techcrunch-ai", "--db", db], env=env)
    assert removed.exit_code == 0, removed.output
    assert "techcrunch-ai" not in listing(), "a removed registry source stays removed"
    missing = runner.invoke(main, ["sources", "remove", "nope", "--db", db], env=env)
    assert missing.exit_code == 1
    assert "nope" in missing.output

    opml = tmp_path / "out.opml"
    exported = runner.invoke(
        main, ["sources", "export-opml", "--output", str(opml), "--db", db], env=env
    )
    assert exported.exit_code == 0, exported.output
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    imported = runner.invoke(
        main, ["sources", "import-opml", str(_captures() / "Subs.opml"), "--db", other], env=env
    )
    assert imported.exit_code == 0, imported.output
    assert "added" in imported.output
    assert len(read_opml(opml.read_bytes(), where="out")) == len(listing())


def test_check_of_a_page_without_feeds_is_one_clear_line(site: str) -> None:
    env = {"PULSEAUGUR_ALLOW_PRIVATE_ADDRESSES": "true"}
    result = CliRunner().invoke(main, ["sources", "check", f"{site}/nothing"], env=env)
    assert result.exit_code == 1
    assert "announces no feed" in result.output
