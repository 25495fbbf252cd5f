"""Hand-built coverage entries (sources, items, clusters) for the rank and summarize tests."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from pulseaugur.types import Cluster, CoverageEntry, Item, Source

T0 = datetime(2025, 8, 7, 17, 0, tzinfo=UTC)


def source(
    source_id: str,
    *,
    tier: int = 2,
    primary: bool = False,
    outlet: str | None = None,
    section: str | None = None,
) -> Source:
    return Source(
        id=source_id,
        kind="feed",
        url=f"https://{source_id}.example/feed.xml",
        name=outlet or source_id.title(),
        outlet=outlet or source_id.title(),
        section=section,
        tier=tier,
        primary=primary,
    )


def entry(
    item_id: str,
    src: Source,
    *,
    title: str = "Something happened",
    body: str = "",
    minutes: int = 0,
) -> CoverageEntry:
    published = T0 + timedelta(minutes=minutes)
    item = Item(
        id=item_id,
        source_id=src.id,
        guid=item_id,
        url_original=f"https://{src.id}.example/{item_id}",
        canonical_url=f"https://{src.id}.example/{item_id}",
        title=title,
        title_en=title,
        body=body,
        excerpt=body[:200],
        authors=(),
        lang="en",
        published_at=published,
        fetched_at=published + timedelta(seconds=30),
        content_hash=hashlib.sha256(item_id.encode()).hexdigest(),
        raw_json={},
    )
    return CoverageEntry(item, src)


def cluster(*, last_updated: datetime = T0, cluster_id: int = 1) -> Cluster:
    return Cluster(id=cluster_id, slug="event", first_seen=T0, last_updated=last_updated)
