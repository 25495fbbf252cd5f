"""Benchmark: the replay corpus through the whole pipeline, into a fresh SQLite file.

Prints wall time, items, duplicates, events and multi-source events, then replays the
same corpus again into the same database to show that nothing is added.

    scripts/bench replay [--corpus PATH] [--until ISO]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from pulseaugur.config import load_settings
from pulseaugur.pipeline.replay_cli import replay_corpus
from pulseaugur.storage import open_storage

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/data/replay/ai-news-items.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--until", help="stop the simulated clock here (ISO 8601)")
    args = parser.parse_args()
    if not args.corpus.is_file():
        print(f"replay benchmark: corpus {args.corpus} not found", file=sys.stderr)
        return 2
    until = datetime.fromisoformat(args.until).replace(tzinfo=UTC) if args.until else None
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/replay.sqlite3"
        settings = load_settings(
            environ=dict(os.environ),
            overrides={"database_url": url, "allow_private_addresses": True, "log_level": "ERROR"},
        )
        for run in ("first", "second"):
            started = time.perf_counter()
            report = replay_corpus(settings, args.corpus, until=until, quiet=True)
            print(f"{run} replay: {time.perf_counter() - started:.1f} s — {report}")
        storage = open_storage(url)
        counts = storage.counts()
        print(
            f"database: {counts.items} items, {counts.duplicates} duplicates, "
            f"{counts.clusters} events, {counts.multi_source_clusters} with 2+ sources, "
            f"{counts.stories} stories"
        )
        storage.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
