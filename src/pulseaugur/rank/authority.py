"""Authority order of an event's coverage, and the primary item.

"Link to the original arXiv paper or vendor blog post first; the press paraphrases
second." The authority order is, most authoritative first:

1. originals: items from first-party publishers (``Source.primary``: a lab's own blog,
   arXiv) before everything else;
2. then by source tier, 1 (best) to 3;
3. then the earliest published first;
4. then by item id, so the order is total and stable whatever order the input had.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulseaugur.types import CoverageEntry


def authority_key(entry: CoverageEntry) -> tuple[int, int, float, str]:
    """The sort key of :func:`order_coverage` (smaller sorts first)."""
    return (
        0 if entry.source.primary else 1,
        entry.source.tier,
        entry.item.published_at.timestamp(),
        entry.item.id,
    )


def order_coverage(entries: Sequence[CoverageEntry]) -> list[CoverageEntry]:
    """The entries in authority order (see the module docstring); a new list."""
    return sorted(entries, key=authority_key)


def choose_primary(entries: Sequence[CoverageEntry]) -> CoverageEntry:
    """The item to read first: the earliest original when the event has one, else the
    earliest report from the best tier. Raises ``ValueError`` for no entries."""
    if not entries:
        raise ValueError("choose_primary() needs at least one coverage entry")
    return min(entries, key=authority_key)


def distinct_sources(entries: Sequence[CoverageEntry]) -> list[CoverageEntry]:
    """One entry per source (its most authoritative one), in authority order."""
    seen: set[str] = set()
    out: list[CoverageEntry] = []
    for entry in order_coverage(entries):
        if entry.source.id not in seen:
            seen.add(entry.source.id)
            out.append(entry)
    return out
