"""Benchmark: event clustering quality, throughput and memory, in one run.

    .venv/bin/python benchmarks/cluster.py [--items N] [--data DIR]

1. Quality on the two labelled dev sets, end to end through ``run_jsonl`` and
   ``eval_files`` (the ``pulseaugur cluster`` / ``eval-clusters`` contract): BCubed
   P/R/F1, pairwise P/R/F1, NMI and ARI at the event (``cluster``) and ``storyline``
   level. The gold level is marked ``*``: UCI labels stories (storyline level), ECB+
   labels events (cluster level).
2. Throughput of ``run_jsonl`` on the UCI headlines (docs/s, reading and writing
   included).
3. A larger stream: the AI-news replay corpus (title + summary) repeated with every
   copy shifted later in time until ``--items`` documents (default 1,000,000), clustered
   in a child process so that its peak RSS is its own. Prints docs/s, peak memory, the
   per-item cost of the corpus copy nearest 10k, 100k and 1M documents,
   and, for the first (real) copy: events, multi-source events, the largest events and
   the events and storyline of OpenAI's GPT-5 launch (2025-08-07) and of its rollout
   troubles (2025-08-08).

Quality figures are computed with the default ``ClusterParams``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pulseaugur.cluster.stream import eval_files, peak_rss_mb, run_jsonl

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
Level = Literal["cluster", "storyline"]
LEVELS: tuple[Level, ...] = ("cluster", "storyline")
COST_AT = (10_000, 100_000, 1_000_000)
"""Per-item cost is measured over the whole copy of the corpus nearest each of these
stream positions: every copy holds the same items, so their costs compare directly."""
DEV_SETS: tuple[tuple[str, Level], ...] = (
    ("uci-news-dev", "storyline"),
    ("ecbplus-dev", "cluster"),
)
METRICS = (
    ("bcubed_p", "B3 P"),
    ("bcubed_r", "B3 R"),
    ("bcubed_f1", "B3 F1"),
    ("pairwise_p", "pw P"),
    ("pairwise_r", "pw R"),
    ("pairwise_f1", "pw F1"),
    ("nmi", "NMI"),
    ("ari", "ARI"),
)


def quality(data: Path, work: Path) -> None:
    """Print the metric table for both dev sets and UCI throughput."""
    header = f"{'set':14s} {'level':10s} " + " ".join(f"{label:>6s}" for _, label in METRICS)
    print(header + f" {'events':>7s}")
    uci_stats = None
    for name, gold_level in DEV_SETS:
        source = data / "clustering" / f"{name}.jsonl"
        pred = work / f"{name}.pred.jsonl"
        stats = run_jsonl(source, pred)
        if name == "uci-news-dev":
            uci_stats = stats
        for level in LEVELS:
            scores = eval_files(source, pred, level=level)
            mark = "*" if level == gold_level else " "
            cells = " ".join(f"{scores[key]:6.3f}" for key, _ in METRICS)
            print(f"{name:14s} {level + mark:10s} {cells} {int(scores['pred_clusters']):7d}")
    if uci_stats is not None:
        print(
            f"\nrun_jsonl on uci-news-dev: {uci_stats.docs} docs in {uci_stats.seconds:.3f} s"
            f" = {uci_stats.docs_per_s:,.0f} docs/s (end to end: read, cluster, write)"
        )


def replay_stream(corpus: Path, target: int, out: Path) -> tuple[int, list[dict[str, Any]]]:
    """Write ``target`` contract lines from the replay corpus, copies shifted in time.

    Returns the number of items in one copy and the first copy's records.
    """
    rows = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    dates = [datetime.fromisoformat(r["published_at"]) for r in rows if r.get("published_at")]
    shift = (max(dates) - min(dates)) + timedelta(days=30)
    first: list[dict[str, Any]] = []
    written = 0
    with out.open("w", encoding="utf-8") as fh:
        copy = 0
        while written < target:
            for i, row in enumerate(rows):
                if written >= target:
                    break
                published = row.get("published_at")
                if published and copy:
                    published = (datetime.fromisoformat(published) + shift * copy).isoformat()
                summary = row.get("summary")
                record = {
                    "id": f"r{copy}-{i}",
                    "title": row.get("title") or "",
                    "body": summary if summary != row.get("title") else None,
                    "lang": None,
                    "published_at": published,
                    "source": row.get("source"),
                    "url": row.get("url"),
                }
                if copy == 0:
                    first.append(record)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
            copy += 1
    return len(rows), first


def child(input_path: str, output_path: str, checkpoints: list[int]) -> None:
    """Run in a fresh process: cluster the stream, print the stats as JSON."""
    before = peak_rss_mb()
    stats = run_jsonl(input_path, output_path, checkpoints=checkpoints)
    print(
        json.dumps(
            {
                "docs": stats.docs,
                "clusters": stats.clusters,
                "seconds": stats.seconds,
                "docs_per_s": stats.docs_per_s,
                "peak_rss_mb": stats.peak_rss_mb,
                "rss_before_mb": before,
                "marks": stats.marks,
            }
        )
    )


GPT5_LAUNCH = ("Introducing GPT-5", "OpenAI’s GPT-5 is here", "GPT-5 is here. Now what?")
GPT5_ROLLOUT = (
    "Sam Altman addresses ‘bumpy’ GPT-5 rollout",
    "OpenAI returns old models to ChatGPT as Sam Altman admits",
    "OpenAI’s GPT-5 rollout is not going smoothly",
    "ChatGPT is bringing back 4o as an option",
)


def replay_report(first: list[dict[str, Any]], pred_path: Path) -> None:
    """Multi-source events, the largest events and the GPT-5 check for the first copy."""
    assigned: dict[str, int] = {}
    story: dict[str, int] = {}
    with pred_path.open(encoding="utf-8") as fh:
        for line, _ in zip(fh, first, strict=False):
            rec = json.loads(line)
            assigned[rec["id"]] = rec["cluster"]
            story[rec["id"]] = rec["storyline"]
    members: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec in first:
        members[assigned[rec["id"]]].append(rec)
    multi = [m for m in members.values() if len({r["source"] for r in m}) > 1]
    sizes = sorted((len(m) for m in members.values()), reverse=True)
    print(
        f"replay corpus ({len(first)} items): {len(members)} events, "
        f"{len(multi)} multi-source events holding {sum(len(m) for m in multi)} items; "
        f"largest events {sizes[:8]}"
    )
    for m in sorted(members.values(), key=len, reverse=True)[:3]:
        days = sorted(r["published_at"][:10] for r in m if r["published_at"])
        span = f"{days[0]}..{days[-1]}" if days else "undated"
        print(f"  {len(m):3d} items, {len({r['source'] for r in m})} sources, {span}: ", end="")
        print(" | ".join(r["title"][:48] for r in m[:3]))
    for name, prefixes in (("launch", GPT5_LAUNCH), ("rollout", GPT5_ROLLOUT)):
        events = Counter(
            assigned[r["id"]]
            for r in first
            if r["title"].startswith(prefixes)
            and (r["published_at"] or "")[:10] in ("2025-08-07", "2025-08-08")
        )
        for event, _ in events.most_common():
            held = members[event]
            print(
                f"GPT-5 {name} (2025-08-0{7 if name == 'launch' else 8}): event {event}, "
                f"storyline {story[held[0]['id']]}, {len(held)} items from "
                f"{len({r['source'] for r in held})} sources"
            )
    gpt5 = [r for r in first if r["title"].startswith(GPT5_LAUNCH + GPT5_ROLLOUT)]
    lines: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec in first:
        lines[story[rec["id"]]].append(rec)
    line_sizes = sorted((len(m) for m in lines.values()), reverse=True)
    print(f"storylines: {len(lines)}; largest {line_sizes[:8]}")
    gpt5_line = Counter(story[r["id"]] for r in gpt5).most_common(1)
    if gpt5_line:
        members_by_event = Counter(assigned[r["id"]] for r in lines[gpt5_line[0][0]])
        print(
            f"GPT-5 storyline {gpt5_line[0][0]}: {len(lines[gpt5_line[0][0]])} items in "
            f"{len(members_by_event)} events (sizes {sorted(members_by_event.values())[::-1][:8]})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000, help="size of the large stream")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="../shared/data")
    parser.add_argument("--child", nargs=3, metavar=("IN", "OUT", "MARKS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stream_in, stream_out, marks = args.child
        child(stream_in, stream_out, [int(n) for n in marks.split(",") if n])
        return 0
    if not (args.data / "clustering").is_dir():
        print(f"no clustering data under {args.data}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pa-bench-cluster-") as tmp:
        work = Path(tmp)
        quality(args.data, work)
        stream_in, stream_out = work / "stream.jsonl", work / "stream.pred.jsonl"
        per_copy, first = replay_stream(
            args.data / "replay" / "ai-news-items.jsonl", args.items, stream_in
        )
        copies = sorted({max(1, n // per_copy - 1) for n in COST_AT if n <= args.items})
        copies = [c for c in copies if (c + 1) * per_copy <= args.items]
        checkpoints = ",".join(str(n * per_copy) for c in copies for n in (c, c + 1))
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(stream_in), str(stream_out), checkpoints],
            check=True,
            capture_output=True,
            text=True,
        )
        s = json.loads(done.stdout)
        print(
            f"\nlarge stream: {s['docs']:,} replay items ({per_copy:,} per time-shifted copy, "
            f"title + summary) in {s['seconds']:.1f} s = {s['docs_per_s']:,.0f} docs/s; "
            f"{s['clusters']:,} events; peak RSS {s['peak_rss_mb']:.0f} MB "
            f"({s['rss_before_mb']:.0f} MB before clustering)"
        )
        marks = {0: 0.0, **dict(s["marks"])}
        costs = [
            f"copy {c + 1} (items {c * per_copy:,}-{(c + 1) * per_copy:,}): "
            f"{(marks[(c + 1) * per_copy] - marks[c * per_copy]) / per_copy * 1e6:.0f} µs"
            for c in copies
            if (c + 1) * per_copy in marks
        ]
        print("per-item cost, whole copies of the corpus: " + "; ".join(costs))
        replay_report(first, stream_out)
    print(f"\ntotal benchmark time {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
