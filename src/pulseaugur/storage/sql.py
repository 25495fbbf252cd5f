"""``SqlStorage``: the Storage contract on SQLAlchemy Core, for SQLite and PostgreSQL.

One class, one code path for both engines; the only dialect-specific piece is the
"insert, or do nothing if the key exists" statement, which both engines support natively
(``INSERT … ON CONFLICT DO NOTHING``) and which makes every write idempotent even when two
processes race.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from pulseaugur.errors import MergeError, NotFoundError, StorageError
from pulseaugur.storage import schema as t
from pulseaugur.storage import search
from pulseaugur.storage.base import (
    Backlog,
    Counts,
    EventFilter,
    EventOrder,
    EventPage,
    EventView,
    FetchLogEntry,
    FetchTotals,
    ItemOutcome,
    SourceHealth,
    TopicActivity,
)
from pulseaugur.storage.engine import create_engine, describe, migrate
from pulseaugur.types import (
    BriefEdition,
    BriefEntry,
    Cluster,
    CoverageEntry,
    DeliveryStatus,
    Item,
    ScoreParts,
    Source,
    SourceState,
    Story,
    Subscriber,
    Subscription,
    SummarySentence,
)


def open_storage(url: str) -> SqlStorage:
    """Open the database at ``url``, bring its schema up to date, and return the storage."""
    engine = create_engine(url)
    migrate(engine)
    return SqlStorage(engine)


class SqlStorage:
    """The Storage contract (``pulseaugur.storage.base``) on a SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sources: dict[str, Source] | None = None
        self._removed: set[str] = set()

    # ---- plumbing -------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa.exc.IntegrityError as exc:
            raise StorageError(f"the database refused a write: {describe(exc)}") from exc
        except sa.exc.OperationalError as exc:
            raise StorageError(f"database error: {describe(exc)}") from exc

    def _insert_ignore(
        self, conn: sa.Connection, table: sa.Table, values: Mapping[str, Any]
    ) -> bool:
        """Insert a row unless a unique key clashes; True if the row was inserted."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        key = next(iter(table.primary_key.columns))
        statement = dialect.insert(table).values(**values).on_conflict_do_nothing().returning(key)
        return conn.execute(statement).first() is not None

    def _upsert(self, table: sa.Table, values: Mapping[str, Any], key: str) -> sa.Executable:
        update = {k: v for k, v in values.items() if k != key}
        if self.engine.dialect.name == "postgresql":
            return (
                postgresql.insert(table)
                .values(**values)
                .on_conflict_do_update(index_elements=[key], set_=update)
            )
        return (
            sqlite.insert(table)
            .values(**values)
            .on_conflict_do_update(index_elements=[key], set_=update)
        )

    @staticmethod
    def _bump(conn: sa.Connection) -> None:
        """Advance the data revision, in the caller's transaction. Called last in a
        transaction: on PostgreSQL the row stays locked until commit, so writers queue
        here only for the moment their commit takes."""
        revision = t.data_revision
        conn.execute(revision.update().where(revision.c.id == 1).values(value=revision.c.value + 1))

    def close(self) -> None:
        self.engine.dispose()

    # ---- sources --------------------------------------------------------------------

    def sync_sources(self, sources: Iterable[Source]) -> None:
        with self._tx() as conn:
            for source in sources:
                row = {**_source_row(source), "removed_at": None}
                conn.execute(self._upsert(t.sources, row, "id"))
            self._bump(conn)
        self._sources = None

    def seed_sources(self, sources: Iterable[Source]) -> int:
        inserted = 0
        with self._tx() as conn:
            known = {
                row.id: row.enabled
                for row in conn.execute(sa.select(t.sources.c.id, t.sources.c.enabled))
            }
            for source in sources:
                row = _source_row(source)
                if source.id not in known:
                    conn.execute(t.sources.insert().values(**row))
                    inserted += 1
                    continue
                row.pop("enabled")
                conn.execute(
                    t.sources.update()
                    .where(t.sources.c.id == source.id, t.sources.c.removed_at.is_(None))
                    .values(**row)
                )
            self._bump(conn)
        self._sources = None
        return inserted

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        self.get_source(source_id)
        with self._tx() as conn:
            conn.execute(
                t.sources.update().where(t.sources.c.id == source_id).values(enabled=enabled)
            )
            self._bump(conn)
        self._sources = None

    def remove_source(self, source_id: str, when: datetime) -> None:
        self.get_source(source_id)
        with self._tx() as conn:
            conn.execute(
                t.sources.update()
                .where(t.sources.c.id == source_id)
                .values(enabled=False, removed_at=when)
            )
            self._bump(conn)
        self._sources = None

    def _source_map(self) -> dict[str, Source]:
        """Every source, removed ones included (their items still need them)."""
        if self._sources is None:
            with self._tx() as conn:
                query = sa.select(t.sources).order_by(t.sources.c.id)
                rows = list(conn.execute(query).mappings())
                self._sources = {row["id"]: _source_from_row(row) for row in rows}
                self._removed = {row["id"] for row in rows if row["removed_at"] is not None}
        return self._sources

    def get_sources(self, *, enabled_only: bool = False) -> list[Source]:
        sources = self._source_map()
        return [
            s
            for s in sources.values()
            if s.id not in self._removed and (s.enabled or not enabled_only)
        ]

    def get_source(self, source_id: str) -> Source:
        source = self._source_map().get(source_id)
        if source is None or source_id in self._removed:
            raise NotFoundError(f"no source with id {source_id!r}")
        return source

    def get_source_state(self, source_id: str) -> SourceState:
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(t.source_state).where(t.source_state.c.source_id == source_id)
                )
                .mappings()
                .first()
            )
        if row is None:
            return SourceState(source_id=source_id)
        return SourceState(**dict(row))

    def save_source_state(self, state: SourceState) -> None:
        values = {
            "source_id": state.source_id,
            "etag": state.etag,
            "last_modified": state.last_modified,
            "last_ok_at": state.last_ok_at,
            "last_error": state.last_error,
            "last_error_at": state.last_error_at,
            "consecutive_failures": state.consecutive_failures,
            "next_poll_at": state.next_poll_at,
            "interval_s": state.interval_s,
            "failing_since": state.failing_since,
            "paused_reason": state.paused_reason,
        }
        with self._tx() as conn:
            conn.execute(self._upsert(t.source_state, values, "source_id"))
            self._bump(conn)

    def get_subscription(self, source_id: str) -> Subscription | None:
        table = t.websub_subscriptions
        with self._tx() as conn:
            row = conn.execute(sa.select(table).where(table.c.source_id == source_id)).first()
        return Subscription(**dict(row._mapping)) if row is not None else None

    def save_subscription(self, subscription: Subscription) -> None:
        values = {
            "source_id": subscription.source_id,
            "hub": subscription.hub,
            "topic": subscription.topic,
            "secret": subscription.secret,
            "state": subscription.state,
            "requested_at": subscription.requested_at,
            "lease_expires_at": subscription.lease_expires_at,
        }
        with self._tx() as conn:
            conn.execute(self._upsert(t.websub_subscriptions, values, "source_id"))

    def log_fetch(self, entry: FetchLogEntry) -> None:
        with self._tx() as conn:
            conn.execute(
                t.fetch_log.insert().values(
                    source_id=entry.source_id,
                    url=entry.url,
                    started_at=entry.started_at,
                    duration_ms=entry.duration_ms,
                    status=entry.status,
                    items_seen=entry.items_seen,
                    items_new=entry.items_new,
                    error=entry.error,
                )
            )
            self._bump(conn)

    # ---- items ----------------------------------------------------------------------

    def add_item(self, item: Item) -> ItemOutcome:
        with self._tx() as conn:
            if conn.execute(sa.select(t.items.c.id).where(t.items.c.id == item.id)).first():
                return ItemOutcome("existing", item.id)
            known = conn.execute(
                sa.select(t.item_duplicates.c.duplicate_of, t.item_duplicates.c.reason).where(
                    t.item_duplicates.c.id == item.id
                )
            ).first()
            if known is not None:
                return ItemOutcome("duplicate", item.id, known.duplicate_of, known.reason)
            original = self._find_original(conn, item)
            if original is None:
                if self._insert_ignore(conn, t.items, _item_row(item)):
                    self._bump(conn)
                    return ItemOutcome("stored", item.id)
                # Lost a race with another writer: whoever won holds the URL or content.
                original = self._find_original(conn, item) or (item.id, "id")
            if original[0] == item.id:
                return ItemOutcome("existing", item.id)
            self._insert_ignore(
                conn,
                t.item_duplicates,
                {
                    "id": item.id,
                    "duplicate_of": original[0],
                    "source_id": item.source_id,
                    "url": item.url_original,
                    "reason": original[1],
                    "seen_at": item.fetched_at,
                },
            )
            return ItemOutcome("duplicate", item.id, original[0], original[1])

    @staticmethod
    def _find_original(conn: sa.Connection, item: Item) -> tuple[str, str] | None:
        if item.canonical_url:
            row = conn.execute(
                sa.select(t.items.c.id).where(t.items.c.canonical_url == item.canonical_url)
            ).first()
            if row is not None:
                return row.id, "canonical_url"
        row = conn.execute(
            sa.select(t.items.c.id).where(t.items.c.content_hash == item.content_hash)
        ).first()
        if row is not None:
            return row.id, "content_hash"
        return None

    def known_item_ids(self, item_ids: Sequence[str]) -> set[str]:
        if not item_ids:
            return set()
        wanted = list(dict.fromkeys(item_ids))
        known: set[str] = set()
        with self._tx() as conn:
            for table in (t.items, t.item_duplicates):
                query = sa.select(table.c.id).where(table.c.id.in_(wanted))
                known.update(conn.execute(query).scalars())
        return known

    def linked_cluster(self, item: Item) -> int | None:
        query = sa.select(t.cluster_members.c.cluster_id).join(
            t.items, t.items.c.id == t.cluster_members.c.item_id
        )
        with self._tx() as conn:
            if item.linked_url:
                found = conn.execute(
                    query.where(t.items.c.canonical_url == item.linked_url)
                ).scalar()
                if found is not None:
                    return int(found)
            if item.canonical_url:
                found = conn.execute(
                    query.where(t.items.c.linked_url == item.canonical_url)
                    .order_by(t.items.c.published_at, t.items.c.id)
                    .limit(1)
                ).scalar()
                if found is not None:
                    return int(found)
        return None

    def get_items(self, item_ids: Sequence[str]) -> list[Item]:
        if not item_ids:
            return []
        with self._tx() as conn:
            rows = conn.execute(sa.select(t.items).where(t.items.c.id.in_(list(item_ids))))
            found = {row.id: _item_from_row(row._mapping) for row in rows}
        return [found[i] for i in item_ids if i in found]

    def items_without_cluster(self) -> list[Item]:
        query = (
            sa.select(t.items)
            .outerjoin(t.cluster_members, t.cluster_members.c.item_id == t.items.c.id)
            .where(t.cluster_members.c.item_id.is_(None))
            .order_by(t.items.c.published_at, t.items.c.id)
        )
        with self._tx() as conn:
            return [_item_from_row(row._mapping) for row in conn.execute(query)]

    # ---- clusters -------------------------------------------------------------------

    def max_cluster_id(self) -> int:
        with self._tx() as conn:
            value = conn.execute(sa.select(sa.func.max(t.clusters.c.id))).scalar()
        return int(value or 0)

    def save_cluster(self, cluster: Cluster) -> None:
        values = {
            "id": cluster.id,
            "slug": cluster.slug,
            "first_seen": cluster.first_seen,
            "last_updated": cluster.last_updated,
            "state": cluster.state,
            "storyline_id": cluster.storyline_id,
            "item_count": cluster.item_count,
            "source_count": cluster.source_count,
            "merged_into": cluster.merged_into,
        }
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(t.clusters).values(**values)
        update: dict[str, Any] = {key: insert.excluded[key] for key in values if key != "id"}
        # A merged event stays merged: a stale copy saved after the merge cannot undo it.
        update["merged_into"] = sa.func.coalesce(
            t.clusters.c.merged_into, insert.excluded.merged_into
        )
        with self._tx() as conn:
            conn.execute(insert.on_conflict_do_update(index_elements=["id"], set_=update))
            self._bump(conn)

    def add_membership(self, cluster_id: int, item_id: str, similarity: float) -> bool:
        with self._tx() as conn:
            position = conn.execute(
                sa.select(sa.func.count()).where(t.cluster_members.c.cluster_id == cluster_id)
            ).scalar_one()
            added = self._insert_ignore(
                conn,
                t.cluster_members,
                {
                    "item_id": item_id,
                    "cluster_id": cluster_id,
                    "similarity": similarity,
                    "position": position,
                },
            )
            if added:
                self._bump(conn)
            return added

    def storylines(self, cluster_ids: Sequence[int]) -> dict[int, int]:
        if not cluster_ids:
            return {}
        query = sa.select(t.clusters.c.id, t.clusters.c.storyline_id).where(
            t.clusters.c.id.in_(list(set(cluster_ids))),
            t.clusters.c.storyline_id.is_not(None),
            t.clusters.c.merged_into.is_(None),
        )
        with self._tx() as conn:
            return {row.id: row.storyline_id for row in conn.execute(query)}

    def merge_clusters(self, absorbed: int, survivor: int, when: datetime) -> None:
        if absorbed == survivor:
            raise MergeError(f"cannot merge event {absorbed} into itself")
        clusters, members = t.clusters, t.cluster_members
        with self._tx() as conn:
            # Lock both rows (PostgreSQL; SQLite has one writer at a time anyway) so that
            # the checks below still hold when the writes happen.
            found = {
                row.id: row.merged_into
                for row in conn.execute(
                    sa.select(clusters.c.id, clusters.c.merged_into)
                    .where(clusters.c.id.in_([absorbed, survivor]))
                    .with_for_update()
                )
            }
            for cluster_id in (absorbed, survivor):
                if cluster_id not in found:
                    raise NotFoundError(f"no event with id {cluster_id}")
            if found[survivor] is not None:
                raise MergeError(
                    f"cannot merge event {absorbed} into event {survivor}: event {survivor} "
                    f"was itself merged into event {found[survivor]}"
                )
            if found[absorbed] == survivor:
                return
            if found[absorbed] is not None:
                raise MergeError(
                    f"cannot merge event {absorbed} into event {survivor}: it was already "
                    f"merged into event {found[absorbed]}"
                )
            count = sa.select(sa.func.count()).where(members.c.cluster_id == survivor)
            start = conn.execute(count).scalar_one()
            moving = conn.execute(
                sa.select(members.c.item_id)
                .where(members.c.cluster_id == absorbed)
                .order_by(members.c.position, members.c.item_id)
            ).scalars()
            moves = [
                {"moved_item": item_id, "new_position": start + offset}
                for offset, item_id in enumerate(moving)
            ]
            if moves:
                conn.execute(
                    members.update()
                    .where(members.c.item_id == sa.bindparam("moved_item"))
                    .values(cluster_id=survivor, position=sa.bindparam("new_position")),
                    moves,
                )
            conn.execute(
                clusters.update()
                .where(sa.or_(clusters.c.id == absorbed, clusters.c.merged_into == absorbed))
                .values(merged_into=survivor)
            )
            conn.execute(
                clusters.update()
                .where(clusters.c.id == absorbed)
                .values(item_count=0, source_count=0)
            )
            conn.execute(t.stories.delete().where(t.stories.c.cluster_id == absorbed))
            conn.execute(t.story_terms.delete().where(t.story_terms.c.cluster_id == absorbed))
            search.delete_document(conn, absorbed)
            item_count, source_count = conn.execute(
                sa.select(sa.func.count(), sa.func.count(sa.distinct(t.items.c.source_id)))
                .select_from(members.join(t.items, t.items.c.id == members.c.item_id))
                .where(members.c.cluster_id == survivor)
            ).one()
            conn.execute(
                clusters.update()
                .where(clusters.c.id == survivor)
                .values(last_updated=when, item_count=item_count, source_count=source_count)
            )
            self._bump(conn)

    def merge_storylines(self, absorbed: int, survivor: int) -> int:
        if absorbed == survivor:
            raise MergeError(f"cannot merge storyline {absorbed} into itself")
        clusters = t.clusters
        with self._tx() as conn:
            moved = conn.execute(
                clusters.update()
                .where(clusters.c.storyline_id == absorbed)
                .values(storyline_id=survivor)
                .returning(clusters.c.id)
            ).all()
            if moved:
                self._bump(conn)
        return len(moved)

    def get_cluster(self, cluster_id: int) -> Cluster:
        with self._tx() as conn:
            row = conn.execute(sa.select(t.clusters).where(t.clusters.c.id == cluster_id)).first()
        if row is None:
            raise NotFoundError(f"no event with id {cluster_id}")
        return _cluster_from_row(row._mapping)

    def cluster_coverage(self, cluster_id: int) -> list[CoverageEntry]:
        return self._coverage_for([cluster_id])[cluster_id]

    def _coverage_for(self, cluster_ids: Sequence[int]) -> dict[int, list[CoverageEntry]]:
        sources = self._source_map()
        result: dict[int, list[CoverageEntry]] = defaultdict(list)
        if not cluster_ids:
            return result
        query = (
            sa.select(t.cluster_members.c.cluster_id, t.items)
            .join(t.items, t.items.c.id == t.cluster_members.c.item_id)
            .where(t.cluster_members.c.cluster_id.in_(list(cluster_ids)))
            .order_by(t.cluster_members.c.cluster_id, t.cluster_members.c.position)
        )
        with self._tx() as conn:
            for row in conn.execute(query):
                item = _item_from_row(row._mapping)
                source = sources.get(item.source_id) or self._reload_source(item.source_id)
                result[row.cluster_id].append(CoverageEntry(item=item, source=source))
        return result

    def _reload_source(self, source_id: str) -> Source:
        self._sources = None
        return self.get_source(source_id)

    def recent_cluster_members(self, since: datetime) -> list[tuple[int, Item]]:
        query = (
            sa.select(t.cluster_members.c.cluster_id, t.items)
            .join(t.items, t.items.c.id == t.cluster_members.c.item_id)
            .join(t.clusters, t.clusters.c.id == t.cluster_members.c.cluster_id)
            .where(t.clusters.c.last_updated >= since, t.clusters.c.merged_into.is_(None))
            .order_by(t.items.c.published_at, t.items.c.id)
        )
        with self._tx() as conn:
            return [(row.cluster_id, _item_from_row(row._mapping)) for row in conn.execute(query)]

    # ---- stories and events ---------------------------------------------------------

    def save_story(self, story: Story) -> None:
        values = {
            "cluster_id": story.cluster_id,
            "headline": story.headline,
            "summary": [{"text": s.text, "item_ids": list(s.item_ids)} for s in story.summary],
            "impact": story.impact,
            "rank_reason": story.rank_reason,
            "tags": list(story.tags),
            "event_type": story.event_type,
            "score": story.score.total,
            "score_authority": story.score.authority,
            "score_cluster_strength": story.score.cluster_strength,
            "score_headline_signal": story.score.headline_signal,
            "score_time_decay": story.score.time_decay,
            "primary_item_id": story.primary_item_id,
            "summarizer": story.summarizer,
            "source_count": story.source_count,
            "coverage_item_ids": list(story.coverage_item_ids),
            "version": story.version,
            "entities": list(story.entities),
        }
        terms = _story_terms(story)
        members = t.cluster_members
        with self._tx() as conn:
            conn.execute(self._upsert(t.stories, values, "cluster_id"))
            conn.execute(
                t.story_terms.delete().where(t.story_terms.c.cluster_id == story.cluster_id)
            )
            if terms:
                conn.execute(t.story_terms.insert(), terms)
            titles = conn.execute(
                sa.select(t.items.c.title, t.items.c.title_en)
                .join(members, members.c.item_id == t.items.c.id)
                .where(members.c.cluster_id == story.cluster_id)
                .order_by(members.c.position)
            ).all()
            document = search.document(
                story.headline,
                (s.text for s in story.summary),
                story.impact,
                story.tags,
                story.entities,
                (title for row in titles for title in (row.title, row.title_en)),
            )
            search.write_document(conn, story.cluster_id, document)
            self._bump(conn)

    def get_event(self, cluster_id: int) -> EventView:
        cluster = self.get_cluster(cluster_id)
        with self._tx() as conn:
            row = conn.execute(
                sa.select(t.stories).where(t.stories.c.cluster_id == cluster_id)
            ).first()
        story = _story_from_row(row._mapping) if row is not None else None
        coverage = self._coverage_for([cluster_id])[cluster_id]
        return EventView(cluster, story, _ordered(coverage, story))

    def list_events(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        order: EventOrder = "newest",
        where: EventFilter | None = None,
    ) -> EventPage:
        _check_limit(limit)
        clusters, stories = t.clusters, t.stories
        key_column: sa.ColumnElement[Any] = {
            "newest": clusters.c.last_updated,
            "top": stories.c.score,
            "timeline": clusters.c.first_seen,
        }[order]
        query = _event_query().where(*_filter_clauses(where or EventFilter())).limit(limit + 1)
        if order == "timeline":
            query = query.order_by(key_column.asc(), clusters.c.id.asc())
        else:
            query = query.order_by(key_column.desc(), clusters.c.id.desc())
        if cursor is not None:
            key, last_id = _decode_cursor(cursor, order)
            if order == "timeline":
                after = sa.or_(
                    key_column > key, sa.and_(key_column == key, clusters.c.id > last_id)
                )
            else:
                after = sa.or_(
                    key_column < key, sa.and_(key_column == key, clusters.c.id < last_id)
                )
            query = query.where(after)
        with self._tx() as conn:
            rows = [row._mapping for row in conn.execute(query)]
        events = self._event_views(rows[:limit])
        next_cursor = None
        if len(rows) > limit and events:
            last = events[-1]
            assert last.story is not None
            key_value: Any = {
                "newest": last.cluster.last_updated.isoformat(),
                "top": last.story.score.total,
                "timeline": last.cluster.first_seen.isoformat(),
            }[order]
            next_cursor = _encode_cursor(order, key_value, last.cluster.id)
        return EventPage(tuple(events), next_cursor)

    def _event_views(self, rows: Sequence[Mapping[Any, Any]]) -> list[EventView]:
        """Events from rows of ``_event_query``, in the rows' order, with coverage."""
        coverage = self._coverage_for([row["id"] for row in rows])
        events = []
        for row in rows:
            story = _story_from_row({c.name: row[f"story_{c.name}"] for c in t.stories.c})
            cluster = _cluster_from_row(row)
            events.append(EventView(cluster, story, _ordered(coverage[cluster.id], story)))
        return events

    def search_events(self, query: str, *, limit: int = 20, cursor: str | None = None) -> EventPage:
        _check_limit(limit)
        terms = search.query_terms(query)
        fingerprint = _fingerprint("\x1f".join(terms).casefold())
        offset = 0
        if cursor is not None:
            kind, offset = _decode_search_cursor(cursor)
            if kind != fingerprint:
                raise ValueError(f"cursor {cursor!r} is not valid for this search")
        if not terms:
            return EventPage((), None)
        with self._tx() as conn:
            ids = search.ranked_ids(conn, terms, limit + 1, offset)
            wanted = ids[:limit]
            rows = {
                row.id: row._mapping
                for row in conn.execute(_event_query().where(t.clusters.c.id.in_(wanted)))
            }
        events = self._event_views([rows[i] for i in wanted if i in rows])
        next_cursor = None
        if len(ids) > limit:
            next_cursor = _encode_search_cursor(fingerprint, offset + limit)
        return EventPage(tuple(events), next_cursor)

    def topic_activity(self, since: datetime) -> list[TopicActivity]:
        clusters = t.clusters
        query = (
            sa.select(clusters.c.id, clusters.c.first_seen, t.stories.c.tags)
            .join(t.stories, t.stories.c.cluster_id == clusters.c.id)
            .where(clusters.c.merged_into.is_(None), clusters.c.first_seen >= since)
            .order_by(clusters.c.first_seen, clusters.c.id)
        )
        with self._tx() as conn:
            return [
                TopicActivity(row.id, row.first_seen, tuple(row.tags))
                for row in conn.execute(query)
            ]

    # ---- the Brief ------------------------------------------------------------------

    def brief_candidates(self, start: datetime, end: datetime) -> list[tuple[Cluster, Story]]:
        query = (
            _event_query()
            .where(t.clusters.c.first_seen < end, t.clusters.c.last_updated >= start)
            .order_by(t.clusters.c.id)
        )
        with self._tx() as conn:
            rows = [row._mapping for row in conn.execute(query)]
        return [
            (
                _cluster_from_row(row),
                _story_from_row({c.name: row[f"story_{c.name}"] for c in t.stories.c}),
            )
            for row in rows
        ]

    def save_brief(self, edition: BriefEdition, *, replace: bool = False) -> bool:
        values = {
            "id": edition.id,
            "window_start": edition.window_start,
            "window_end": edition.window_end,
            "published_at": edition.published_at,
            "min_score": edition.min_score,
            "min_sources": edition.min_sources,
            "max_events": edition.max_events,
        }
        entries = [
            {
                "edition_id": edition.id,
                "rank": entry.rank,
                "cluster_id": entry.cluster_id,
                "slug": entry.slug,
                "headline": entry.headline,
                "lead": entry.lead,
                "score": entry.score,
                "source_count": entry.source_count,
                "tags": list(entry.tags),
            }
            for entry in edition.entries
        ]
        with self._tx() as conn:
            if replace:
                conn.execute(
                    t.brief_entries.delete().where(t.brief_entries.c.edition_id == edition.id)
                )
                conn.execute(t.brief_editions.delete().where(t.brief_editions.c.id == edition.id))
            if not self._insert_ignore(conn, t.brief_editions, values):
                return False
            if entries:
                conn.execute(t.brief_entries.insert(), entries)
            self._bump(conn)
        return True

    def get_brief(self, edition_id: str) -> BriefEdition:
        found = self._briefs(sa.select(t.brief_editions).where(t.brief_editions.c.id == edition_id))
        if not found:
            raise NotFoundError(f"no edition of the Brief for {edition_id!r}")
        return found[0]

    def list_briefs(self, *, limit: int = 30, before: str | None = None) -> list[BriefEdition]:
        _check_limit(limit)
        query = sa.select(t.brief_editions).order_by(t.brief_editions.c.id.desc()).limit(limit)
        if before is not None:
            query = query.where(t.brief_editions.c.id < before)
        return self._briefs(query)

    def brief_neighbours(self, edition_id: str) -> tuple[str | None, str | None]:
        ids = t.brief_editions.c.id
        with self._tx() as conn:
            earlier = conn.execute(sa.select(sa.func.max(ids)).where(ids < edition_id)).scalar()
            later = conn.execute(sa.select(sa.func.min(ids)).where(ids > edition_id)).scalar()
        return earlier, later

    def _briefs(self, query: sa.Select[Any]) -> list[BriefEdition]:
        """The editions ``query`` selects (rows of ``brief_editions``), with entries."""
        with self._tx() as conn:
            heads = [row._mapping for row in conn.execute(query)]
            entries: dict[str, list[BriefEntry]] = defaultdict(list)
            if heads:
                rows = conn.execute(
                    sa.select(t.brief_entries)
                    .where(t.brief_entries.c.edition_id.in_([h["id"] for h in heads]))
                    .order_by(t.brief_entries.c.edition_id, t.brief_entries.c.rank)
                )
                for row in rows:
                    entries[row.edition_id].append(
                        BriefEntry(
                            rank=row.rank,
                            cluster_id=row.cluster_id,
                            slug=row.slug,
                            headline=row.headline,
                            lead=row.lead,
                            score=row.score,
                            source_count=row.source_count,
                            tags=tuple(row.tags),
                        )
                    )
        return [
            BriefEdition(
                id=head["id"],
                window_start=head["window_start"],
                window_end=head["window_end"],
                published_at=head["published_at"],
                min_score=head["min_score"],
                min_sources=head["min_sources"],
                max_events=head["max_events"],
                entries=tuple(entries[head["id"]]),
            )
            for head in heads
        ]

    # ---- subscribers of the Brief by email --------------------------------------------

    def add_subscriber(self, email: str, token: str, when: datetime) -> tuple[Subscriber, bool]:
        s = t.subscribers
        with self._tx() as conn:
            values = {"email": email, "token": token, "created_at": when}
            if self._insert_ignore(conn, s, values):
                became_active = True
            else:
                reactivated = conn.execute(
                    s.update()
                    .where(s.c.email == email, s.c.unsubscribed_at.is_not(None))
                    .values(unsubscribed_at=None, token=token)
                    .returning(s.c.id)
                ).first()
                became_active = reactivated is not None
            row = conn.execute(sa.select(s).where(s.c.email == email)).one()
        return _subscriber_from_row(row._mapping), became_active

    def find_subscriber(self, email: str) -> Subscriber | None:
        with self._tx() as conn:
            row = conn.execute(sa.select(t.subscribers).where(t.subscribers.c.email == email))
            found = row.first()
        return _subscriber_from_row(found._mapping) if found is not None else None

    def get_subscriber(self, token: str) -> Subscriber:
        with self._tx() as conn:
            row = conn.execute(sa.select(t.subscribers).where(t.subscribers.c.token == token))
            found = row.first()
        if found is None:
            raise NotFoundError("no subscriber with this unsubscribe token")
        return _subscriber_from_row(found._mapping)

    def unsubscribe(self, token: str, when: datetime) -> Subscriber:
        s = t.subscribers
        with self._tx() as conn:
            conn.execute(
                s.update()
                .where(s.c.token == token, s.c.unsubscribed_at.is_(None))
                .values(unsubscribed_at=when)
            )
        return self.get_subscriber(token)

    def list_subscribers(self, *, active_only: bool = False) -> list[Subscriber]:
        query = sa.select(t.subscribers).order_by(t.subscribers.c.id)
        if active_only:
            query = query.where(t.subscribers.c.unsubscribed_at.is_(None))
        with self._tx() as conn:
            return [_subscriber_from_row(row._mapping) for row in conn.execute(query)]

    def undelivered(self, edition_id: str, *, interrupted: bool = False) -> list[Subscriber]:
        s, d = t.subscribers, t.brief_deliveries
        retry = ["failed", "sending"] if interrupted else ["failed"]
        done = sa.select(d.c.subscriber_id).where(
            d.c.edition_id == edition_id, d.c.status.not_in(retry)
        )
        query = (
            sa.select(s).where(s.c.unsubscribed_at.is_(None), s.c.id.not_in(done)).order_by(s.c.id)
        )
        with self._tx() as conn:
            return [_subscriber_from_row(row._mapping) for row in conn.execute(query)]

    def claim_delivery(
        self, edition_id: str, subscriber_id: int, when: datetime, *, interrupted: bool = False
    ) -> bool:
        d = t.brief_deliveries
        retry = ["failed", "sending"] if interrupted else ["failed"]
        with self._tx() as conn:
            values = {
                "edition_id": edition_id,
                "subscriber_id": subscriber_id,
                "status": "sending",
                "attempts": 1,
                "updated_at": when,
                "error": None,
            }
            if self._insert_ignore(conn, d, values):
                return True
            claimed = conn.execute(
                d.update()
                .where(
                    d.c.edition_id == edition_id,
                    d.c.subscriber_id == subscriber_id,
                    d.c.status.in_(retry),
                )
                .values(status="sending", attempts=d.c.attempts + 1, updated_at=when, error=None)
                .returning(d.c.edition_id)
            ).first()
        return claimed is not None

    def finish_delivery(
        self,
        edition_id: str,
        subscriber_id: int,
        when: datetime,
        error: str | None = None,
        *,
        permanent: bool = False,
    ) -> None:
        d = t.brief_deliveries
        status = "sent" if error is None else "refused" if permanent else "failed"
        with self._tx() as conn:
            conn.execute(
                d.update()
                .where(d.c.edition_id == edition_id, d.c.subscriber_id == subscriber_id)
                .values(
                    status=status,
                    updated_at=when,
                    error=error,
                )
            )

    def delivery_counts(self, edition_id: str) -> dict[DeliveryStatus, int]:
        d = t.brief_deliveries
        query = (
            sa.select(d.c.status, sa.func.count())
            .where(d.c.edition_id == edition_id)
            .group_by(d.c.status)
        )
        with self._tx() as conn:
            return {row[0]: int(row[1]) for row in conn.execute(query)}

    def tokens_spent(self, day: date) -> int:
        usage = t.llm_token_usage
        with self._tx() as conn:
            spent = conn.execute(sa.select(usage.c.tokens).where(usage.c.day == day)).scalar()
        return int(spent or 0)

    def add_tokens(self, day: date, tokens: int) -> int:
        if tokens < 0:
            raise ValueError(f"token counts are not negative, got {tokens}")
        usage = t.llm_token_usage
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(usage).values(day=day, tokens=tokens)
        statement = insert.on_conflict_do_update(
            index_elements=["day"], set_={"tokens": usage.c.tokens + insert.excluded.tokens}
        ).returning(usage.c.tokens)
        with self._tx() as conn:
            return int(conn.execute(statement).scalar_one())

    def source_health(self) -> list[SourceHealth]:
        items = t.items
        figures = (
            sa.select(
                items.c.source_id,
                sa.func.count().label("item_total"),
                sa.func.max(items.c.published_at).label("last_item_at"),
            )
            .group_by(items.c.source_id)
            .subquery()
        )
        state_columns = [c.label(f"state_{c.name}") for c in t.source_state.c]
        query = (
            sa.select(t.sources, *state_columns, figures.c.item_total, figures.c.last_item_at)
            .outerjoin(t.source_state, t.source_state.c.source_id == t.sources.c.id)
            .outerjoin(figures, figures.c.source_id == t.sources.c.id)
            .where(t.sources.c.removed_at.is_(None))
        )
        with self._tx() as conn:
            rows = [row._mapping for row in conn.execute(query)]
        result = []
        for row in rows:
            state = None
            if row["state_source_id"] is not None:
                state = SourceState(**{c.name: row[f"state_{c.name}"] for c in t.source_state.c})
            # max() over a subquery loses the column type on SQLite: restore UTC here.
            last_item_at = _as_utc(row["last_item_at"])
            result.append(
                SourceHealth(
                    source=_source_from_row(row),
                    state=state,
                    items=int(row["item_total"] or 0),
                    last_item_at=last_item_at,
                )
            )
        result.sort(key=lambda h: (h.source.tier, h.source.display_name.casefold(), h.source.id))
        return result

    def revision(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(_REVISION_QUERY).scalar()
        return int(value or 0)

    def backlog(self, now: datetime) -> Backlog:
        items, members, state = t.items, t.cluster_members, t.source_state
        unclustered = (
            sa.select(sa.func.count(), sa.func.min(items.c.fetched_at))
            .select_from(items.outerjoin(members, members.c.item_id == items.c.id))
            .where(members.c.item_id.is_(None))
        )
        overdue = (
            sa.select(sa.func.count(), sa.func.min(state.c.next_poll_at))
            .select_from(t.sources.join(state, state.c.source_id == t.sources.c.id))
            .where(
                t.sources.c.enabled.is_(True),
                t.sources.c.removed_at.is_(None),
                state.c.paused_reason.is_(None),
                state.c.next_poll_at < now,
            )
        )
        with self._tx() as conn:
            waiting, oldest = conn.execute(unclustered).one()
            late, earliest = conn.execute(overdue).one()
        oldest_at, earliest_at = _as_utc(oldest), _as_utc(earliest)
        return Backlog(
            unclustered_items=int(waiting),
            oldest_unclustered_s=(
                max(0.0, (now - oldest_at).total_seconds()) if oldest_at else 0.0
            ),
            overdue_sources=int(late),
            poll_lag_s=max(0.0, (now - earliest_at).total_seconds()) if earliest_at else 0.0,
        )

    def fetch_totals(self) -> FetchTotals:
        log = t.fetch_log
        ok = sa.or_(sa.and_(log.c.status >= 200, log.c.status < 300), log.c.status == 304)
        failed = sa.or_(log.c.error.is_not(None), sa.and_(log.c.status.is_not(None), sa.not_(ok)))
        query = sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((failed, 1), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(log.c.items_new), 0),
        )
        with self._tx() as conn:
            fetches, errors, items_new = conn.execute(query).one()
        return FetchTotals(fetches=int(fetches), errors=int(errors), items_new=int(items_new))

    def counts(self) -> Counts:
        def count(conn: sa.Connection, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(table).where(*where)
                ).scalar_one()
            )

        live = t.clusters.c.merged_into.is_(None)
        with self._tx() as conn:
            return Counts(
                sources=count(conn, t.sources),
                items=count(conn, t.items),
                duplicates=count(conn, t.item_duplicates),
                clusters=count(conn, t.clusters, live),
                multi_source_clusters=count(conn, t.clusters, live, t.clusters.c.source_count >= 2),
                stories=count(conn, t.stories),
                merged_clusters=count(conn, t.clusters, t.clusters.c.merged_into.is_not(None)),
                brief_editions=count(conn, t.brief_editions),
            )


# ---- row mapping ---------------------------------------------------------------------


def _subscriber_from_row(row: Mapping[Any, Any]) -> Subscriber:
    return Subscriber(
        id=row["id"],
        email=row["email"],
        token=row["token"],
        created_at=row["created_at"],
        unsubscribed_at=row["unsubscribed_at"],
    )


def _source_row(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "kind": source.kind,
        "url": source.url,
        "name": source.name,
        "outlet": source.outlet,
        "section": source.section,
        "tier": source.tier,
        "languages": list(source.languages),
        "poll_interval_s": source.poll_interval_s,
        "domains": list(source.domains),
        "enabled": source.enabled,
        "is_primary": source.primary,
    }


def _source_from_row(row: Mapping[Any, Any]) -> Source:
    return Source(
        id=row["id"],
        kind=row["kind"],
        url=row["url"],
        name=row["name"],
        outlet=row["outlet"],
        section=row["section"],
        tier=row["tier"],
        languages=tuple(row["languages"]),
        poll_interval_s=row["poll_interval_s"],
        domains=tuple(row["domains"]),
        enabled=bool(row["enabled"]),
        primary=bool(row["is_primary"]),
    )


def _item_row(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "source_id": item.source_id,
        "guid": item.guid,
        "url_original": item.url_original,
        "canonical_url": item.canonical_url,
        "title": item.title,
        "title_en": item.title_en,
        "body": item.body,
        "excerpt": item.excerpt,
        "authors": list(item.authors),
        "lang": item.lang,
        "published_at": item.published_at,
        "fetched_at": item.fetched_at,
        "content_hash": item.content_hash,
        "raw_json": dict(item.raw_json),
        "date_flag": item.date_flag,
        "near_duplicate_of": item.near_duplicate_of,
        "linked_url": item.linked_url,
    }


def _item_from_row(row: Mapping[Any, Any]) -> Item:
    return Item(
        id=row["id"],
        source_id=row["source_id"],
        guid=row["guid"],
        url_original=row["url_original"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        title_en=row["title_en"],
        body=row["body"],
        excerpt=row["excerpt"],
        authors=tuple(row["authors"]),
        lang=row["lang"],
        published_at=row["published_at"],
        fetched_at=row["fetched_at"],
        content_hash=row["content_hash"],
        raw_json=row["raw_json"],
        date_flag=row["date_flag"],
        near_duplicate_of=row["near_duplicate_of"],
        linked_url=row["linked_url"],
    )


def _cluster_from_row(row: Mapping[Any, Any]) -> Cluster:
    return Cluster(
        id=row["id"],
        slug=row["slug"],
        first_seen=row["first_seen"],
        last_updated=row["last_updated"],
        state=row["state"],
        storyline_id=row["storyline_id"],
        item_count=row["item_count"],
        source_count=row["source_count"],
        merged_into=row["merged_into"],
    )


def _story_from_row(row: Mapping[Any, Any]) -> Story:
    return Story(
        cluster_id=row["cluster_id"],
        headline=row["headline"],
        summary=tuple(SummarySentence(s["text"], tuple(s["item_ids"])) for s in row["summary"]),
        impact=row["impact"],
        rank_reason=row["rank_reason"],
        tags=tuple(row["tags"]),
        event_type=row["event_type"],
        score=ScoreParts(
            authority=row["score_authority"],
            cluster_strength=row["score_cluster_strength"],
            headline_signal=row["score_headline_signal"],
            time_decay=row["score_time_decay"],
            total=row["score"],
        ),
        primary_item_id=row["primary_item_id"],
        summarizer=row["summarizer"],
        source_count=row["source_count"],
        coverage_item_ids=tuple(row["coverage_item_ids"]),
        version=row["version"],
        entities=tuple(row["entities"]),
    )


def _ordered(coverage: list[CoverageEntry], story: Story | None) -> tuple[CoverageEntry, ...]:
    """Coverage in the story's authority order; items newer than the story go last."""
    if story is None:
        return tuple(coverage)
    rank = {item_id: i for i, item_id in enumerate(story.coverage_item_ids)}
    return tuple(sorted(coverage, key=lambda e: rank.get(e.item.id, len(rank))))


_REVISION_QUERY = sa.select(t.data_revision.c.value).where(t.data_revision.c.id == 1)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= 1000:
        raise ValueError(f"limit must be from 1 to 1000, got {limit}")


def _as_utc(value: Any) -> datetime | None:
    """An aggregate's datetime as timezone-aware UTC (SQLite returns text or naive)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _event_query() -> sa.Select[Any]:
    """Live events with a story: the cluster's columns, and the story's labelled
    ``story_<name>`` (both tables have a ``source_count``)."""
    story_columns = [column.label(f"story_{column.name}") for column in t.stories.c]
    return (
        sa.select(t.clusters, *story_columns)
        .join(t.stories, t.stories.c.cluster_id == t.clusters.c.id)
        .where(t.clusters.c.merged_into.is_(None))
    )


def _filter_clauses(where: EventFilter) -> list[sa.ColumnElement[bool]]:
    """``where`` as SQL conditions on a query of ``_event_query``: plain comparisons on
    the cluster and story, and ``EXISTS`` on indexed side tables for the rest."""
    clusters, stories, members, items = t.clusters, t.stories, t.cluster_members, t.items
    clauses: list[sa.ColumnElement[bool]] = []
    if where.since is not None:
        clauses.append(clusters.c.last_updated >= where.since)
    if where.min_score is not None:
        clauses.append(stories.c.score >= where.min_score)
    if where.min_sources > 1:
        clauses.append(stories.c.source_count >= where.min_sources)
    if where.storyline_id is not None:
        clauses.append(clusters.c.storyline_id == where.storyline_id)
    for kind, text in (("tag", where.topic), ("entity", where.entity)):
        if text is not None:
            terms = t.story_terms
            clauses.append(
                sa.exists().where(
                    terms.c.cluster_id == clusters.c.id,
                    terms.c.kind == kind,
                    terms.c.key == _term_key(text),
                )
            )
    if where.source_id is not None:
        clauses.append(
            sa.exists()
            .select_from(members.join(items, items.c.id == members.c.item_id))
            .where(members.c.cluster_id == clusters.c.id, items.c.source_id == where.source_id)
        )
    if where.platforms:
        clauses.append(
            sa.exists()
            .select_from(
                members.join(items, items.c.id == members.c.item_id).join(
                    t.sources, t.sources.c.id == items.c.source_id
                )
            )
            .where(
                members.c.cluster_id == clusters.c.id,
                t.sources.c.kind.in_(list(where.platforms)),
            )
        )
    return clauses


def _term_key(text: str) -> str:
    """What the topic and entity filters compare: the text casefolded, spaces collapsed."""
    return " ".join(text.casefold().split())


def _story_terms(story: Story) -> list[dict[str, Any]]:
    """The ``story_terms`` rows of a story (one per distinct key and kind)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, values in (("tag", story.tags), ("entity", story.entities)):
        for value in values:
            key = _term_key(value)
            if key:
                rows.setdefault(
                    (kind, key),
                    {"cluster_id": story.cluster_id, "kind": kind, "key": key, "value": value},
                )
    return list(rows.values())


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _pack(payload: list[Any]) -> str:
    """An opaque cursor: the payload as JSON with a checksum, base64url."""
    body = json.dumps(payload, separators=(",", ":"))
    raw = json.dumps([body, _fingerprint(body)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unpack(cursor: str) -> list[Any]:
    """The payload of a cursor made by ``_pack``; ``ValueError`` if it was altered."""
    padded = cursor + "=" * (-len(cursor) % 4)
    body, check = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    if not isinstance(body, str) or check != _fingerprint(body):
        raise ValueError("checksum")
    payload = json.loads(body)
    if not isinstance(payload, list):
        raise ValueError("payload")
    return payload


def _encode_cursor(order: EventOrder, key: Any, cluster_id: int) -> str:
    return _pack([order, key, cluster_id])


def _decode_cursor(cursor: str, order: EventOrder) -> tuple[Any, int]:
    try:
        kind, key, cluster_id = _unpack(cursor)
        if kind != order or type(cluster_id) is not int:
            raise ValueError
        if order in ("newest", "timeline"):
            if not isinstance(key, str):
                raise ValueError
            moment = datetime.fromisoformat(key)
            if moment.tzinfo is None:
                raise ValueError
            return moment.astimezone(UTC), cluster_id
        if type(key) not in (int, float):
            raise ValueError
        return float(key), cluster_id
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise ValueError(f"cursor {cursor!r} is not valid for this listing") from None


def _encode_search_cursor(fingerprint: str, offset: int) -> str:
    return _pack(["search", fingerprint, offset])


def _decode_search_cursor(cursor: str) -> tuple[str, int]:
    """The query fingerprint and offset of a search cursor; ``ValueError`` if bad."""
    try:
        kind, fingerprint, offset = _unpack(cursor)
        if kind != "search" or not isinstance(fingerprint, str):
            raise ValueError
        if type(offset) is not int or offset < 0:
            raise ValueError
        return fingerprint, offset
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise ValueError(f"cursor {cursor!r} is not valid for this search") from None
