"""The ``pulseaugur cluster`` and ``pulseaugur eval-clusters`` file contracts (the I/O).

Input (JSONL, one document per line, in stream order)::

    {"id": "...", "title": "...", "body": null, "lang": null,
     "published_at": "2025-08-07T12:00:00+00:00", "source": null, "url": null}

``id`` (string or integer) and ``title`` (string) are required; ``body``, ``lang``,
``source`` and ``url`` are strings or null; ``published_at`` is an ISO 8601 date-time or
null (a date-time without an offset is taken as UTC). Any other field (``label``,
``topic``, ``category``...) is never read, so gold labels cannot leak into the result.
Blank lines are skipped. A line that is not a JSON object, lacks a required field, has
a field of the wrong type, an unparseable date or an id seen before raises
:class:`InputError` naming the file and the line number.

Output (JSONL, one line per input document, in input order)::

    {"id": "...", "cluster": 17, "storyline": 12}

``cluster`` is the event the document is in at the end of the stream, ``storyline``
that event's storyline then: when events or storylines merged
(:attr:`~pulseaugur.types.Assignment.merged`, ``merged_storylines``) documents are
reported under the survivors, as the service's redirects show them.

The output is written to a temporary file beside ``output_path`` and moved into place
only when every line was read, so a failed run leaves no partial output.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pulseaugur.cluster.base import Clusterer
from pulseaugur.cluster.evaluate import evaluate
from pulseaugur.cluster.online import OnlineClusterer
from pulseaugur.errors import ParseError
from pulseaugur.types import ClusterDoc

__all__ = [
    "InputError",
    "StreamStats",
    "eval_files",
    "parse_line",
    "peak_rss_mb",
    "read_docs",
    "run_jsonl",
]

_OPTIONAL_TEXT = ("body", "lang", "source", "url")


class InputError(ParseError):
    """A JSONL line does not follow the contract; ``where`` is ``path:line``."""

    def __init__(self, path: str | os.PathLike[str], line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        super().__init__(f"{path}:{line}", f"line {line}: {message}")


@dataclass(frozen=True, slots=True)
class StreamStats:
    """What one :func:`run_jsonl` run did and cost.

    ``seconds`` is wall-clock time for reading, clustering and writing; ``peak_rss_mb``
    is the process's peak resident set size so far (``getrusage``), in MiB.
    """

    docs: int
    clusters: int
    seconds: float
    docs_per_s: float
    peak_rss_mb: float
    marks: tuple[tuple[int, float], ...] = ()
    """``(n, seconds)``: when the ``n``-th document had been clustered (for each
    requested checkpoint the stream reached), to show how the per-item cost evolves."""


def peak_rss_mb() -> float:
    """The process's peak resident set size in MiB (``ru_maxrss`` is KiB on Linux, bytes
    on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _parse_date(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_line(line: str, lineno: int, path: str | os.PathLike[str] = "<input>") -> ClusterDoc:
    """Parse one contract line into a :class:`ClusterDoc` (only the contract's fields are
    read). Raises :class:`InputError` naming ``path`` and ``lineno``."""
    return _parse(line, lineno, path)[1]


def _parse(line: str, lineno: int, path: str | os.PathLike[str]) -> tuple[str | int, ClusterDoc]:
    """The original ``id`` value (echoed in the output) and the parsed document."""
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(path, lineno, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(obj, dict):
        raise InputError(path, lineno, f"expected a JSON object, got {type(obj).__name__}")
    doc_id = obj.get("id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or doc_id == "":
        raise InputError(path, lineno, "field 'id' is required (a non-empty string or integer)")
    title = obj.get("title")
    if not isinstance(title, str):
        raise InputError(path, lineno, "field 'title' is required (a string)")
    text: dict[str, str | None] = {}
    for name in _OPTIONAL_TEXT:
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(path, lineno, f"field {name!r} must be a string or null")
        text[name] = value
    raw_date = obj.get("published_at")
    published: datetime | None = None
    if raw_date is not None:
        if not isinstance(raw_date, str):
            raise InputError(path, lineno, "field 'published_at' must be a string or null")
        try:
            published = _parse_date(raw_date)
        except ValueError as exc:
            raise InputError(
                path, lineno, f"field 'published_at' is not an ISO 8601 date-time: {raw_date!r}"
            ) from exc
    return doc_id, ClusterDoc(
        id=str(doc_id),
        title=title,
        body=text["body"],
        lang=text["lang"],
        published_at=published,
        source=text["source"],
        url=text["url"],
    )


def read_docs(path: str | os.PathLike[str]) -> Iterator[tuple[int, str | int, ClusterDoc]]:
    """Yield ``(line number, id as written, doc)`` for every non-blank line.

    Raises :class:`InputError` for a malformed line or an id that already appeared.
    """
    seen: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            raw_id, doc = _parse(line, lineno, path)
            first = seen.setdefault(doc.id, lineno)
            if first != lineno:
                raise InputError(path, lineno, f"id {doc.id!r} already appeared on line {first}")
            yield lineno, raw_id, doc


def run_jsonl(
    input_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    clusterer: Clusterer | None = None,
    *,
    checkpoints: Sequence[int] = (),
) -> StreamStats:
    """Cluster the documents of ``input_path`` in file order and write the assignments.

    Uses a fresh :class:`OnlineClusterer` with default parameters unless ``clusterer``
    is given. Writes one ``{"id", "cluster", "storyline"}`` line per input document, in
    input order (see the module docstring); raises :class:`InputError` on a malformed
    line (and then leaves ``output_path`` untouched). ``checkpoints`` are document
    counts at which the elapsed time is recorded in :attr:`StreamStats.marks`.
    """
    engine: Clusterer = clusterer if clusterer is not None else OnlineClusterer()
    out = Path(output_path)
    decided = out.with_name(f".{out.name}.{os.getpid()}.decided")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    start = time.perf_counter()
    docs = 0
    redirects: dict[int, tuple[int, int]] = {}  # absorbed event -> (survivor, its storyline)
    line_redirects: dict[int, int] = {}  # absorbed storyline -> surviving storyline
    wanted = set(checkpoints)
    marks: list[tuple[int, float]] = []
    try:
        with open(decided, "w", encoding="utf-8") as fh:
            for _, raw_id, doc in read_docs(input_path):
                a = engine.add(doc)
                for absorbed in a.merged:
                    redirects[absorbed] = (a.cluster_id, a.storyline_id)
                for absorbed, survivor in a.merged_storylines:
                    line_redirects[absorbed] = survivor
                fh.write(f"{a.cluster_id}\t{a.storyline_id}\t{json.dumps(raw_id)}\n")
                docs += 1
                if docs in wanted:
                    marks.append((docs, time.perf_counter() - start))
        clusters: set[int] = set()
        with open(decided, encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as fh:
            for line in src:
                cluster_text, storyline_text, raw_json = line.rstrip("\n").split("\t", 2)
                cluster, storyline = _final(
                    int(cluster_text), int(storyline_text), redirects, line_redirects
                )
                clusters.add(cluster)
                fh.write(f'{{"id": {raw_json}, "cluster": {cluster}, "storyline": {storyline}}}\n')
        os.replace(tmp, out)
    finally:
        for path in (decided, tmp):
            if path.exists():
                path.unlink()
    seconds = time.perf_counter() - start
    return StreamStats(
        docs=docs,
        clusters=len(clusters),
        seconds=seconds,
        docs_per_s=docs / seconds if seconds > 0 else 0.0,
        peak_rss_mb=peak_rss_mb(),
        marks=tuple(marks),
    )


def _final(
    cluster: int,
    storyline: int,
    redirects: dict[int, tuple[int, int]],
    line_redirects: dict[int, int],
) -> tuple[int, int]:
    """The event and storyline a document ends in, following merges (each hop goes to
    an older survivor, so the chains end)."""
    while cluster in redirects:
        cluster, storyline = redirects[cluster]
    while storyline in line_redirects:
        storyline = line_redirects[storyline]
    return cluster, storyline


def _labels(path: str | os.PathLike[str], field: str) -> dict[str, str]:
    """``id -> str(line[field])`` for every non-blank line; InputError when missing."""
    labels: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(path, lineno, f"not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict) or obj.get("id") is None:
                raise InputError(path, lineno, "expected a JSON object with an 'id'")
            value = obj.get(field)
            if value is None:
                raise InputError(path, lineno, f"field {field!r} is missing")
            doc_id = str(obj["id"])
            if doc_id in labels:
                raise InputError(path, lineno, f"id {doc_id!r} appears twice")
            labels[doc_id] = str(value)
    return labels


def eval_files(
    gold_path: str | os.PathLike[str],
    pred_path: str | os.PathLike[str],
    level: Literal["cluster", "storyline"] = "cluster",
) -> dict[str, float]:
    """Score a prediction file against a gold file (see :func:`~.evaluate.evaluate`).

    Gold labels are the ``label`` field of ``gold_path``; predicted labels are the
    ``cluster`` (event) or ``storyline`` field of ``pred_path``, chosen by ``level``.
    Both files must cover the same ids (``ValueError`` otherwise).
    """
    if level not in ("cluster", "storyline"):
        raise ValueError(f"level must be 'cluster' or 'storyline', got {level!r}")
    gold = _labels(gold_path, "label")
    pred = _labels(pred_path, level)
    return evaluate(gold, pred)
