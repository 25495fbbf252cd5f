"""The ``pulseaugur`` command: contracts other tools rely on, and clean one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pulseaugur.cli import main

from support import shared_data_dir


def _run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a subprocess (what users and scripts call)."""
    return subprocess.run(
        [sys.executable, "-m", "pulseaugur", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=120,
        check=False,
    )


def test_cluster_writes_one_line_per_input_and_evaluates(tmp_path: Path) -> None:
    gold = shared_data_dir() / "clustering" / "uci-news-dev.jsonl"
    out = tmp_path / "out.jsonl"
    result = _run("cluster", str(gold), "--output", str(out), "--stats")
    assert result.returncode == 0, result.stderr
    assert "docs/s" in result.stderr
    inputs = [json.loads(line)["id"] for line in gold.open(encoding="utf-8")]
    outputs = [json.loads(line) for line in out.open(encoding="utf-8")]
    assert [o["id"] for o in outputs] == inputs
    assert all(set(o) == {"id", "cluster", "storyline"} for o in outputs)

    scores = CliRunner().invoke(
        main, ["eval-clusters", str(gold), str(out), "--level", "storyline"]
    )
    assert scores.exit_code == 0, scores.output
    values = dict(line.split() for line in scores.output.strip().splitlines())
    assert set(values) >= {"bcubed_f1", "pairwise_f1", "nmi", "ari"}
    assert float(values["bcubed_f1"]) > 0.65


def test_cluster_ignores_labels(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "title": "OpenAI launches GPT-5", "label": "x"},
        {"id": "b", "title": "OpenAI launches GPT-5 for everyone", "label": "y", "topic": 3},
    ]
    plain = [{k: v for k, v in line.items() if k in ("id", "title")} for line in lines]
    results = []
    for name, rows in (("labelled", lines), ("plain", plain)):
        src = tmp_path / f"{name}.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in rows))
        out = tmp_path / f"{name}.out.jsonl"
        assert CliRunner().invoke(main, ["cluster", str(src), "--output", str(out)]).exit_code == 0
        results.append(out.read_text())
    assert results[0] == results[1]


def test_malformed_cluster_input_names_the_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "a", "title": "ok"}\n{not json\n')
    result = _run("cluster", str(src), "--output", str(tmp_path / "o.jsonl"))
    assert result.returncode == 1
    assert "line 2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PULSEAUGUR_PORT": "eighty"}, "PULSEAUGUR_PORT"),
        ({"PULSEAUGUR_DATABASE_URL": "mysql://db"}, "PULSEAUGUR_DATABASE_URL"),
    ],
)
def test_bad_config_stops_with_one_line(env: dict[str, str], named: str) -> None:
    result = _run("serve", env=env)
    assert result.returncode == 2
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_sources_file_stops_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nid = "x"\nurl = "https://x.org/feed"\nname = "X"\n')
    result = _run("sources", "list", env={"PULSEAUGUR_SOURCES_FILE": str(bad)}, cwd=tmp_path)
    assert result.returncode == 2
    assert "outlet" in result.stderr
    assert str(bad) in result.stderr


def test_unreachable_database_is_one_line() -> None:
    result = _run("serve", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 1
    assert "database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sources_list_shows_the_registry(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'list.sqlite3'}"
    result = CliRunner().invoke(main, ["sources", "list", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) >= 30
    assert {"id", "name", "tier", "languages", "url"} <= set(rows[0])


def test_parse_prints_items_and_names_bad_files(tmp_path: Path) -> None:
    good = shared_data_dir() / "feeds" / "ai-lab-feeds" / "0xsmw" / "feed_xai_news.xml"
    bad = tmp_path / "broken.xml"
    bad.write_text("<html>not a feed</html>")
    result = _run("parse", str(good), str(bad))
    assert result.returncode == 2
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows
    assert all(row["file"] == str(good) for row in rows)
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"{bad}: ")
    only_good = _run("parse", str(good), "--kind", "feed")
    assert only_good.returncode == 0


def _brief_database(tmp_path: Path) -> str:
    """A database with two events of the 24 hours to 2025-08-08 06:00 UTC, one over
    the default gate (score 75) and one under it."""
    from datetime import UTC, datetime, timedelta

    from pulseaugur.storage import open_storage

    from support import add_scored_event, make_source

    url = f"sqlite:///{tmp_path / 'brief.sqlite3'}"
    storage = open_storage(url)
    storage.sync_sources([make_source()])
    moment = datetime(2025, 8, 7, 18, tzinfo=UTC)
    for cluster_id, score in ((1, 88.0), (2, 40.0)):
        add_scored_event(storage, cluster_id, score, moment + timedelta(hours=1))
    storage.close()
    return url


def test_brief_publishes_then_shows_then_rebuilds(tmp_path: Path) -> None:
    db = _brief_database(tmp_path)
    first = CliRunner().invoke(main, ["brief", "--db", db, "--date", "2025-08-08"])
    assert first.exit_code == 0, first.output
    lines = first.output.strip().splitlines()
    assert lines[0].startswith("the Brief of 2025-08-08 (published, ")
    assert lines[1:] == ["  1. [88] Headline 1 (1 source) /cluster/1-event-1"]
    again = CliRunner().invoke(main, ["brief", "--db", db, "--date", "2025-08-08"])
    assert again.output.startswith("the Brief of 2025-08-08 (stored, ")
    assert again.output.strip().splitlines()[1:] == lines[1:]
    rebuilt = CliRunner().invoke(main, ["brief", "--db", db, "--date", "2025-08-08", "--rebuild"])
    assert rebuilt.output.startswith("the Brief of 2025-08-08 (rebuilt, ")
    empty = CliRunner().invoke(main, ["brief", "--db", db, "--date", "2025-08-01"])
    assert empty.exit_code == 0
    assert "nothing published" in empty.output


@pytest.mark.parametrize("date", ["2025-02-30", "tomorrow", "2999-01-01"])
def test_brief_refuses_a_bad_or_future_date(tmp_path: Path, date: str) -> None:
    db = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = _run("brief", "--db", db, "--date", date)
    assert result.returncode == 2
    assert result.stderr.startswith("pulseaugur: configuration error in --date: ")
    assert len(result.stderr.strip().splitlines()) == 1
