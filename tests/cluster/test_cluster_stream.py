"""The JSONL contract of ``pulseaugur cluster`` / ``eval-clusters`` (run_jsonl, eval_files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulseaugur.cluster import InputError, StreamStats, eval_files, run_jsonl
from pulseaugur.errors import ParseError

LINES: list[dict[str, Any]] = [
    {
        "id": "a",
        "title": "OpenAI launches GPT-5 for all ChatGPT users",
        "body": None,
        "lang": "en",
        "published_at": "2025-08-07T17:00:00+00:00",
        "source": "openai",
        "url": "https://openai.com/index/introducing-gpt-5/",
    },
    {
        "id": "b",
        "title": "Nvidia revenue hits a record $46.7 billion",
        "body": "Data centers.",
        "lang": None,
        "published_at": "2025-08-07T18:00:00Z",
        "source": None,
        "url": None,
    },
    {
        "id": 7,
        "title": "GPT-5 is here: OpenAI launches its new model in ChatGPT",
        "body": None,
        "lang": None,
        "published_at": "2025-08-07T19:30:00",
        "source": "verge",
        "url": None,
    },
    {"id": "d", "title": "Nvidia's record $46.7 billion revenue beats estimates"},
]


def write(path: Path, rows: list[dict[str, Any]], extra: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows) + extra, encoding="utf-8")
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_output_line_per_input_in_order(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", LINES, extra="\n   \n")
    stats = run_jsonl(source, tmp_path / "out.jsonl")
    out = read(tmp_path / "out.jsonl")
    assert [r["id"] for r in out] == ["a", "b", 7, "d"]  # ids echoed as written
    assert all(set(r) == {"id", "cluster", "storyline"} for r in out)
    assert out[0]["cluster"] == out[2]["cluster"]
    assert out[1]["cluster"] == out[3]["cluster"]
    assert out[0]["cluster"] != out[1]["cluster"]
    assert isinstance(stats, StreamStats)
    assert stats.docs == 4
    assert stats.clusters == 2
    assert stats.seconds > 0
    assert stats.docs_per_s > 0
    assert stats.peak_rss_mb > 1
    assert stats.marks == ()


def test_checkpoints_record_elapsed_time(tmp_path: Path) -> None:
    source = write(tmp_path / "in.jsonl", LINES)
    stats = run_jsonl(source, tmp_path / "out.jsonl", checkpoints=(1, 3, 99))
    assert [n for n, _ in stats.marks] == [1, 3]  # 99 was never reached
    assert 0 < stats.marks[0][1] <= stats.marks[1][1] <= stats.seconds


def test_unknown_fields_are_ignored(tmp_path: Path) -> None:
    plain = write(tmp_path / "plain.jsonl", LINES)
    noisy_rows = [
        {**row, "label": f"gold-{i % 2}", "topic": [i], "category": {"x": None}}
        for i, row in enumerate(LINES)
    ]
    noisy = write(tmp_path / "noisy.jsonl", noisy_rows)
    run_jsonl(plain, tmp_path / "plain.out")
    run_jsonl(noisy, tmp_path / "noisy.out")
    assert read(tmp_path / "plain.out") == read(tmp_path / "noisy.out")


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a", "list"]', "expected a JSON object"),
        ('{"title": "no id"}', "'id' is required"),
        ('{"id": "x"}', "'title' is required"),
        ('{"id": "x", "title": 3}', "'title' is required"),
        ('{"id": "x", "title": "t", "body": 5}', "'body' must be a string or null"),
        ('{"id": "x", "title": "t", "published_at": "last Tuesday"}', "not an ISO 8601"),
        ('{"id": "a", "title": "again"}', "already appeared on line 1"),
    ],
)
def test_malformed_line_names_its_number(tmp_path: Path, bad_line: str, message: str) -> None:
    source = write(tmp_path / "in.jsonl", LINES[:2], extra=bad_line + "\n")
    out = tmp_path / "out.jsonl"
    with pytest.raises(InputError, match=message) as info:
        run_jsonl(source, out)
    assert info.value.line == 3
    assert "line 3" in str(info.value)
    assert isinstance(info.value, ParseError)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]  # no temporary file left behind


def test_eval_files_reads_gold_labels_and_the_chosen_level(tmp_path: Path) -> None:
    gold = write(
        tmp_path / "gold.jsonl",
        [{**row, "label": lab} for row, lab in zip(LINES, ["g", "n", "g", "n"], strict=True)],
    )
    pred = tmp_path / "pred.jsonl"
    run_jsonl(gold, pred)
    scores = eval_files(gold, pred)
    assert scores["bcubed_f1"] == pytest.approx(1.0)
    assert scores["ari"] == pytest.approx(1.0)
    by_storyline = eval_files(gold, pred, level="storyline")
    assert by_storyline["docs"] == 4
    one = tmp_path / "one.jsonl"
    write(one, [{"id": r["id"], "cluster": 1, "storyline": 1} for r in LINES])
    assert eval_files(gold, one)["bcubed_p"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="level"):
        eval_files(gold, pred, level="event")  # type: ignore[arg-type]


def test_eval_files_requires_labels_and_matching_ids(tmp_path: Path) -> None:
    unlabelled = write(tmp_path / "gold.jsonl", LINES)
    pred = tmp_path / "pred.jsonl"
    run_jsonl(unlabelled, pred)
    with pytest.raises(InputError, match="'label' is missing"):
        eval_files(unlabelled, pred)
    gold = write(tmp_path / "gold2.jsonl", [{**LINES[0], "label": "g"}])
    with pytest.raises(ValueError, match="same documents"):
        eval_files(gold, pred)
