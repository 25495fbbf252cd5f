"""Test-only helpers: the shared replay corpus as coverage entries, in rough groups.

The grouping is deliberately simple (it is not the clusterer): items published on the
same day whose titles share at least two capitalized words with the group's first item
form a group (at most 10 items), across sources — so some groups are real multi-source
events (the same launch reported by The Verge, TechCrunch and ZDNET) and some are loose
same-outlet bundles. It exists to feed realistic text to the summarizer, not to judge
clustering.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from pulseaugur.types import Cluster, CoverageEntry, Item, Source

from support import SHARED_DATA, require_shared

REPLAY_ITEMS = SHARED_DATA / "replay" / "ai-news-items.jsonl"
FALLBACK_DATE = datetime(2025, 1, 1, tzinfo=UTC)

# source field → (outlet, tier, primary); anything else is a first-party blog (tier 1).
KNOWN_SOURCES: dict[str, tuple[str, int, bool]] = {
    "techcrunch.com": ("TechCrunch", 1, False),
    "theverge.com": ("The Verge", 1, False),
    "technologyreview.com": ("MIT Technology Review", 1, False),
    "news.ycombinator.com": ("Hacker News", 2, False),
    "zdnet.com": ("ZDNET", 2, False),
    "venturebeat.com": ("VentureBeat", 2, False),
    "forrester.com": ("Forrester", 2, False),
    "digg.com/technology": ("Digg", 3, False),
    "https://www.deeplearning.ai/the-batch/": ("The Batch", 2, False),
    "https://paulgraham.com/articles.html": ("Paul Graham", 2, True),
    "news.mit.edu": ("MIT News", 1, False),
}


def replay_path() -> Path:
    """The replay file (skips or fails when absent: see ``support.require_shared``)."""
    return require_shared(REPLAY_ITEMS)


def _source(name: str) -> Source:
    outlet, tier, primary = KNOWN_SOURCES.get(name, ("", 1, True))
    if not outlet:
        host = urlsplit(name if "://" in name else f"https://{name}").hostname or name
        outlet = host.removeprefix("www.")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return Source(
        id=slug, kind="feed", url=name, name=outlet, outlet=outlet, tier=tier, primary=primary
    )


def _plain(text: str | None) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text or ""))
    return text.strip()


def _item(row: dict[str, object], source: Source) -> Item:
    url = str(row.get("url") or "")
    raw_date = row.get("published_at")
    published = datetime.fromisoformat(str(raw_date)) if raw_date else FALLBACK_DATE
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    published = published.astimezone(UTC)
    title = _plain(str(row.get("title") or ""))
    body = _plain(str(row.get("summary") or ""))
    digest = hashlib.sha256(f"{source.id}|{url}|{title}".encode()).hexdigest()
    return Item(
        id=f"{source.id}:{digest[:12]}",
        source_id=source.id,
        guid=url or None,
        url_original=url or None,
        canonical_url=url or None,
        title=title,
        title_en=title,
        body=body,
        excerpt=body[:280],
        authors=(),
        lang="en",
        published_at=published,
        fetched_at=published,
        content_hash=digest,
        raw_json=dict(row),
        date_flag=None if raw_date else "missing",
    )


def load_entries(path: Path) -> list[CoverageEntry]:
    """Every replay row with a title, as a coverage entry, in file order."""
    sources: dict[str, Source] = {}
    out: list[CoverageEntry] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if not row.get("title"):
                continue
            name = str(row.get("source") or "unknown")
            source = sources.setdefault(name, _source(name))
            out.append(CoverageEntry(_item(row, source), source))
    return out


_CAP_WORD = re.compile(r"\b[A-Z][\w-]{2,}")
_COMMON_CAPS = frozenset(
    ["The", "This", "That", "How", "Why", "What", "When", "With", "From", "For", "And", "But"]
)


def _caps(entry: CoverageEntry) -> set[str]:
    return {w for w in _CAP_WORD.findall(entry.item.title) if w not in _COMMON_CAPS}


def group_entries(entries: list[CoverageEntry], max_size: int = 10) -> list[list[CoverageEntry]]:
    """Rough groups: same day, titles sharing 2+ capitalized words (any source)."""
    buckets: dict[str, list[CoverageEntry]] = defaultdict(list)
    for entry in entries:
        buckets[entry.item.published_at.date().isoformat()].append(entry)
    groups: list[list[CoverageEntry]] = []
    for bucket in buckets.values():
        open_groups: list[tuple[set[str], list[CoverageEntry]]] = []
        for entry in bucket:
            caps = _caps(entry)
            for seed, members in open_groups:
                if len(members) < max_size and len(seed & caps) >= 2:
                    members.append(entry)
                    break
            else:
                open_groups.append((caps, [entry]))
        groups.extend(members for _, members in open_groups)
    return groups


def cluster_for(group: list[CoverageEntry], cluster_id: int) -> Cluster:
    """A cluster record spanning the group's publication times."""
    times = [e.item.published_at for e in group]
    return Cluster(
        id=cluster_id,
        slug=f"event-{cluster_id}",
        first_seen=min(times),
        last_updated=max(times),
        item_count=len(group),
        source_count=len({e.source.id for e in group}),
    )


def sample_groups(path: Path, singles: int, multis: int) -> Iterator[list[CoverageEntry]]:
    """A deterministic spread of ``multis`` multi-item groups and ``singles`` single
    items across the file (every k-th of each kind)."""
    groups = group_entries(load_entries(path))
    multi = [g for g in groups if len(g) > 1]
    single = [g for g in groups if len(g) == 1]
    for pool, want in ((multi, multis), (single, singles)):
        step = max(1, len(pool) // max(want, 1))
        yield from pool[::step][:want]
