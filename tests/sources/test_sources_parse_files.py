"""``parse_paths`` and ``main``: saved documents parsed in budgeted worker processes.

The misbehaving parsers below are module-level so that they can be sent to the workers
(which import this module by name, from the caller's ``sys.path``).
"""

from __future__ import annotations

import io
import json
import os
import signal
import time
from pathlib import Path

import pytest

from pulseaugur.errors import ConfigError, ParseError, PulseAugurError
from pulseaugur.sources.feeds import ParsedFeed, parse_feed
from pulseaugur.sources.parse_files import (
    ParseOutcome,
    main,
    parse_paths,
    parser_for_kind,
)

ITEM_KEYS = [
    "file",
    "id",
    "source_id",
    "guid",
    "url_original",
    "canonical_url",
    "title",
    "title_en",
    "body",
    "excerpt",
    "authors",
    "lang",
    "published_at",
    "fetched_at",
    "content_hash",
    "raw_json",
    "date_flag",
    "near_duplicate_of",
    "linked_url",
]

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Lab blog</title><link>https://lab.example/</link>
<item><title>Model A released</title><link>/posts/model-a</link>
<guid isPermaLink="false">a-1</guid><pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate>
<description>&lt;p&gt;We release &lt;b&gt;Model A&lt;/b&gt; today.&lt;/p&gt;</description>
<author>jane@lab.org (Jane Doe)</author></item>
<item><title>Model B preview</title><link>https://lab.example/posts/model-b</link></item>
</channel></rss>
"""


# --- parsers sent to the workers ---------------------------------------------------------


def sleeping_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Never answers within any sane budget."""
    time.sleep(300)
    raise AssertionError("unreachable")


def sleepy_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Hangs on documents that say ``sleep``; parses the others."""
    if b"sleep" in content:
        time.sleep(300)
    return parse_feed(content, url=url, content_type=content_type)


def hungry_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Allocates memory 8 MB at a time, for ever."""
    hoard = []
    while True:
        hoard.append(bytearray(8 * 1024 * 1024))


def buggy_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Fails the way a bug does: an exception that is not a ParseError."""
    parsed: dict[str, ParsedFeed] = {}
    return parsed["missing"]


def dying_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Dies the way a crash in C code does (no Python exception, no answer)."""
    if b"die" in content:
        os.kill(os.getpid(), signal.SIGSEGV)
    return parse_feed(content, url=url, content_type=content_type)


def chatty_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Prints to stdout, which must never reach the JSON output."""
    print("NOISE FROM THE PARSER")
    os.write(1, b"RAW NOISE ON FD 1\n")
    return parse_feed(content, url=url, content_type=content_type)


def strict_parser(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Refuses everything that is not the RSS sample, like a kind-specific parser."""
    if content != RSS:
        raise ParseError(url, "not a sample document")
    return parse_feed(content, url=url, content_type=content_type)


def _explode() -> None:
    raise RuntimeError("this parser cannot be loaded here")


class UnloadableParser:
    """Pickles fine in the caller; unpickling it (in the worker) fails."""

    def __call__(self, content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
        return parse_feed(content, url=url, content_type=content_type)

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return _explode, ()


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "lab.rss"
    path.write_bytes(RSS)
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_bytes(b"<html><body><p>Not a feed.</p></body></html>")
    return path


def _run_main(argv: list[str]) -> tuple[int, list[str], list[str]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def _assert_one_clean_line(outcome: ParseOutcome) -> str:
    assert outcome.error is not None
    assert outcome.items == ()
    assert "\n" not in outcome.error
    assert outcome.error.startswith(f"{outcome.file}: ")
    assert "Traceback" not in outcome.error
    return outcome.error


# --- good and bad files --------------------------------------------------------------------


def test_good_file_gives_items_with_every_field(good: Path) -> None:
    [outcome] = list(parse_paths([good]))
    assert outcome.ok
    assert outcome.error is None
    assert outcome.error_kind is None
    assert len(outcome.items) == 2
    first = outcome.items[0]
    assert list(first) == ITEM_KEYS
    assert first["file"] == str(good)
    assert first["source_id"] == "file"
    assert first["guid"] == "a-1"
    assert first["title"] == "Model A released"
    assert first["body"] == "We release Model A today."
    assert first["authors"] == ["Jane Doe"]
    assert first["lang"] == "en"
    assert first["published_at"] == "2025-08-07T17:00:00+00:00"
    assert first["date_flag"] is None
    # Without --url the document is a file: relative links cannot be resolved.
    assert first["url_original"] is None
    json.dumps(outcome.items)


def test_url_is_the_base_for_relative_links(good: Path) -> None:
    [outcome] = list(parse_paths([good], url="https://lab.example/feed.xml"))
    assert outcome.items[0]["url_original"] == "https://lab.example/posts/model-a"
    assert outcome.items[0]["canonical_url"] == "https://lab.example/posts/model-a"


def test_main_prints_json_lines_and_exits_0(good: Path) -> None:
    code, out, err = _run_main([str(good), "--url", "https://lab.example/feed.xml"])
    assert code == 0
    assert err == []
    rows = [json.loads(line) for line in out]
    assert [row["title"] for row in rows] == ["Model A released", "Model B preview"]
    assert all(row["file"] == str(good) for row in rows)


def test_bad_file_is_one_stderr_line_and_the_others_still_print(
    good: Path, bad: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "missing.xml"
    code, out, err = _run_main([str(bad), str(good), str(missing), str(tmp_path)])
    assert code == 2
    assert len(out) == 2
    assert all(json.loads(line)["file"] == str(good) for line in out)
    assert len(err) == 3
    assert err[0].startswith(f"{bad}: not an RSS, Atom or JSON feed")
    assert err[1] == f"{missing}: No such file or directory"
    assert err[2] == f"{tmp_path}: is a directory"


def test_outcomes_keep_the_input_order_with_several_workers(good: Path, bad: Path) -> None:
    paths = [good, bad, good, bad, good, good, bad]
    outcomes = list(parse_paths(paths, workers=2))
    assert [o.file for o in outcomes] == [str(p) for p in paths]
    assert [o.ok for o in outcomes] == [p == good for p in paths]


def test_entity_declarations_are_refused_as_unsafe(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title>'
        b"</channel></rss>"
    )
    [outcome] = list(parse_paths([bomb]))
    assert outcome.error_kind == "unsafe"
    assert "declares XML entities" in _assert_one_clean_line(outcome)


def test_a_json_file_without_a_feed_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "listing.json"
    path.write_text('[{"id": 1}]')
    [outcome] = list(parse_paths([path]))
    assert outcome.error_kind == "parse"
    assert "invalid JSON" in _assert_one_clean_line(outcome) or "JSON" in (outcome.error or "")


def test_lone_surrogates_do_not_break_the_output(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": '
        '[{"id": "1", "url": "https://x.example/1", "title": "broken \\ud800 text"}]}'
    )
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    err = io.StringIO()
    assert main([str(path)], stdout=out, stderr=err) == 0
    out.seek(0)
    [row] = [json.loads(line) for line in out.read().splitlines()]
    assert row["url_original"] == "https://x.example/1"


# --- budgets -------------------------------------------------------------------------------


def test_a_parse_past_the_time_budget_is_killed_and_reported(good: Path, bad: Path) -> None:
    started = time.monotonic()
    outcomes = list(parse_paths([good, bad], parser=sleeping_parser, time_budget_s=1.0))
    elapsed = time.monotonic() - started
    assert [o.error_kind for o in outcomes] == ["timeout", "timeout"]
    for outcome in outcomes:
        assert "1 s time budget" in _assert_one_clean_line(outcome)
        assert 1.0 <= outcome.seconds < 3.0
    assert elapsed < 15.0  # two kills and one restart, never the parser's 300 s


def test_after_a_timeout_the_next_file_gets_a_fresh_worker(good: Path, tmp_path: Path) -> None:
    slow = tmp_path / "slow.rss"
    slow.write_bytes(b"sleep")
    outcomes = list(parse_paths([slow, good], parser=sleepy_parser, time_budget_s=1.0))
    assert outcomes[0].error_kind == "timeout"
    assert outcomes[1].ok
    assert len(outcomes[1].items) == 2


def test_a_worker_that_dies_is_reported_and_replaced(good: Path, tmp_path: Path) -> None:
    doomed = tmp_path / "doomed.rss"
    doomed.write_bytes(b"die")
    outcomes = list(parse_paths([doomed, good], parser=dying_parser))
    assert outcomes[0].error_kind == "died"
    assert "SIGSEGV" in _assert_one_clean_line(outcomes[0])
    assert outcomes[0].is_bug
    assert outcomes[1].ok
    assert len(outcomes[1].items) == 2


def test_an_oversize_file_is_refused_without_being_read(good: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024**3)  # sparse: 50 GB that reading whole would never end
    started = time.monotonic()
    outcomes = list(parse_paths([huge, good]))
    assert time.monotonic() - started < 10.0
    assert outcomes[0].error_kind == "too-large"
    line = _assert_one_clean_line(outcomes[0])
    assert "53,687,091,200 bytes exceeds the 10,000,000-byte cap" in line
    assert outcomes[1].ok


def test_the_size_cap_is_configurable(good: Path) -> None:
    [outcome] = list(parse_paths([good], max_bytes=100))
    assert outcome.error_kind == "too-large"
    code, out, err = _run_main([str(good), "--max-bytes", "100"])
    assert (code, out) == (2, [])
    assert err[0].startswith(f"{good}: file of {len(RSS):,} bytes exceeds the 100-byte cap")


def test_a_memory_hungry_parse_is_stopped_by_the_memory_budget(good: Path) -> None:
    started = time.monotonic()
    outcomes = list(
        parse_paths([good, good], parser=hungry_parser, memory_budget_mb=64, time_budget_s=30)
    )
    assert time.monotonic() - started < 30.0
    for outcome in outcomes:
        assert outcome.error_kind == "memory"
        assert "memory" in _assert_one_clean_line(outcome)
        assert not outcome.is_bug
    # The budget, not the clock, stopped it.
    assert all(o.seconds < 10 for o in outcomes)


def test_the_memory_budget_leaves_room_for_real_feeds(good: Path) -> None:
    [outcome] = list(parse_paths([good], memory_budget_mb=64))
    assert outcome.ok


# --- bugs and odd parsers ----------------------------------------------------------------


def test_an_unexpected_exception_is_a_one_line_crash_report(good: Path) -> None:
    [outcome] = list(parse_paths([good], parser=buggy_parser))
    assert outcome.error_kind == "crash"
    assert outcome.is_bug
    line = _assert_one_clean_line(outcome)
    assert "KeyError" in line
    assert "test_sources_parse_files.py:" in line


def test_what_a_parser_prints_never_reaches_stdout(
    good: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    outcomes = list(parse_paths([good], parser=chatty_parser))
    assert outcomes[0].ok
    captured = capfd.readouterr()
    assert "NOISE" not in captured.out
    assert "NOISE FROM THE PARSER" in captured.err


def test_an_injected_parser_replaces_the_feed_parser(good: Path, bad: Path) -> None:
    outcomes = list(parse_paths([good, bad], parser=strict_parser, kind="mastodon"))
    assert outcomes[0].ok
    assert outcomes[1].error == f"{bad}: not a sample document"


def test_bad_arguments_are_config_errors(good: Path) -> None:
    with pytest.raises(ConfigError, match="picklable"):
        parse_paths(
            [good], parser=lambda content, *, url, content_type=None: parse_feed(b"", url=url)
        )
    with pytest.raises(ConfigError, match="positive"):
        parse_paths([good], time_budget_s=0)
    with pytest.raises(ConfigError, match="--kind"):
        parser_for_kind("gopher")
    assert parser_for_kind("feed") is parse_feed


def test_a_worker_that_cannot_start_is_one_clear_error(good: Path) -> None:
    with pytest.raises(PulseAugurError, match="could not start") as caught:
        list(parse_paths([good], parser=UnloadableParser()))
    assert "cannot load the parser (RuntimeError: this parser cannot be loaded here)" in str(
        caught.value
    )
    assert _workers_alive() == 0


def test_main_rejects_bad_options(good: Path) -> None:
    code, out, err = _run_main([str(good), "--kind", "gopher"])
    assert code == 2
    assert out == []
    assert any("invalid choice" in line for line in err)
    code, _, err = _run_main([str(good), "--time-budget", "-1"])
    assert code == 2
    assert err == [
        "pulseaugur parse: configuration error in parse: "
        "time_budget_s, memory_budget_mb, max_bytes and workers must be positive"
    ]


def test_closing_the_iterator_early_stops_the_workers(good: Path) -> None:
    outcomes = parse_paths([good] * 50, workers=2)
    first = next(outcomes)
    assert first.ok
    assert _workers_alive() >= 1
    outcomes.close()  # must not hang nor leave processes behind
    assert _workers_alive() == 0


def test_no_worker_outlives_a_finished_run(good: Path) -> None:
    list(parse_paths([good, good], parser=sleepy_parser, workers=2))
    assert _workers_alive() == 0


def _workers_alive() -> int:
    """Live (not zombie) worker processes whose parent is this process (Linux)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"_worker_entry" in cmdline:
            count += 1
    return count
