"""The source registry: the built-in list, validation, and URL attribution."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pulseaugur.errors import ConfigError
from pulseaugur.sources.registry import SourceMatcher, load_registry
from pulseaugur.types import SOURCE_KINDS

from support import make_source


def test_builtin_registry_is_complete() -> None:
    sources = load_registry()
    assert len(sources) >= 200
    assert len({s.id for s in sources}) == len(sources)
    assert len({(s.kind, s.url) for s in sources}) == len(sources)
    assert set(Counter(s.tier for s in sources)) == {1, 2, 3}
    assert {s.kind for s in sources} == set(SOURCE_KINDS)
    for source in sources:
        assert source.outlet
        assert source.languages
        assert source.url.startswith(("http://", "https://"))
    assert sum("en" not in s.languages for s in sources) >= 25
    assert {lang for s in sources for lang in s.languages} >= {"en", "de", "ja", "zh", "ko", "fr"}


def test_builtin_registry_keeps_stable_ids() -> None:
    ids = {s.id for s in load_registry()}
    assert {
        "openai-news",
        "openai-research",
        "anthropic-news",
        "anthropic-engineering",
        "windsurf-changelog",
        "techcrunch-ai",
        "the-verge-ai",
        "hacker-news",
    } <= ids


def test_builtin_sources_never_share_a_domain_entry() -> None:
    owners: dict[str, list[str]] = {}
    for source in load_registry():
        for prefix in source.domains:
            owners.setdefault(prefix, []).append(source.id)
    shared = {prefix: ids for prefix, ids in owners.items() if len(ids) > 1}
    assert not shared, shared


def test_matcher_prefers_longest_prefix() -> None:
    matcher = SourceMatcher(load_registry())
    assert matcher.match("https://www.anthropic.com/news/claude-4") is not None
    assert matcher.match("https://www.anthropic.com/news/claude-4").id == "anthropic-news"  # type: ignore[union-attr]
    assert matcher.match("https://www.anthropic.com/engineering/x").id == "anthropic-engineering"  # type: ignore[union-attr]
    assert matcher.match("techcrunch.com").id == "techcrunch-ai"  # type: ignore[union-attr]
    assert matcher.match("https://windsurf.com/changelog/windsurf-next").id == "windsurf-changelog"  # type: ignore[union-attr]
    assert matcher.match("https://example.com/") is None
    assert matcher.match("ai-research (0xSMW)") is None
    assert matcher.match("https://notanthropic.com/news") is None


def test_matcher_on_custom_sources() -> None:
    a = make_source("a", domains=("example.org",))
    b = make_source("b", domains=("example.org/blog",))
    matcher = SourceMatcher([a, b])
    assert matcher.match("http://example.org/blog/post").id == "b"  # type: ignore[union-attr]
    assert matcher.match("http://example.org/blogging").id == "a"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('id = "x"\nurl = "https://x.org/f"\nname = "X"\noutlet = "X"\ntier = 4', "tier"),
        ('id = "X!"\nurl = "https://x.org/f"\nname = "X"\noutlet = "X"', "id must"),
        ('id = "x"\nurl = "ftp://x.org/f"\nname = "X"\noutlet = "X"', "http"),
        ('id = "x"\nurl = "https://x.org/f"\noutlet = "X"', "name"),
        (
            'id = "x"\nurl = "https://x.org/f"\nname = "X"\noutlet = "X"\nlanguages = ["English"]',
            "ISO",
        ),
        (
            'id = "x"\nurl = "https://x.org/f"\nname = "X"\noutlet = "X"\ncolour = 1',
            "unknown field",
        ),
    ],
)
def test_bad_entries_name_file_entry_and_field(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text("[[source]]\n" + entry + "\n")
    with pytest.raises(ConfigError, match=message) as caught:
        load_registry(path)
    assert "source #1" in str(caught.value)
    assert str(path) in str(caught.value)


def test_duplicate_ids_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "sources.toml"
    one = '[[source]]\nid = "x"\nurl = "https://x.org/f"\nname = "X"\noutlet = "X"\n'
    path.write_text(one + one)
    with pytest.raises(ConfigError, match="listed twice"):
        load_registry(path)
    path.write_text("")
    with pytest.raises(ConfigError, match="no \\[\\[source\\]\\]"):
        load_registry(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_registry(tmp_path / "missing.toml")
