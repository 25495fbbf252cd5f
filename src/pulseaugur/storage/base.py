"""The storage contract: what the pipeline, the web app and the CLI may ask of a database.

Rules every implementation keeps (the contract tests in ``tests/storage`` check them on
SQLite and PostgreSQL alike):

- Every datetime going in or out is timezone-aware UTC.
- Writes are idempotent: storing the same item, membership, story or duplicate record
  again changes nothing and adds no row.
- An item is stored once. A second document with the same canonical URL or the same
  content hash is recorded as a duplicate of the first (``ItemOutcome.duplicate_of``)
  and not stored again.
- Errors from the driver come out as ``StorageError``; a missing record asked for by id
  is ``NotFoundError``.
- An event's id and URL never change once published. Events found to be one are merged
  (``merge_clusters``): the absorbed event keeps its row, with ``merged_into`` naming the
  live event that now holds its items (always the final one: merges never leave chains),
  and is no longer listed, restored, or summarized. Every item stays in exactly one live
  event.
- An edition of the Brief is stored once for its date and then stays as published
  (``save_brief``): later changes to its events, merges included, do not change it.
- An edition is mailed to a subscriber at most once: a delivery is claimed
  (``claim_delivery``) before the message is handed to the SMTP server, and only one
  caller wins a claim; a delivery marked failed may be claimed again, one left
  ``sending`` (a crash mid-send) only when asked for explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from pulseaugur.types import (
    BriefEdition,
    Cluster,
    CoverageEntry,
    DeliveryStatus,
    Item,
    Source,
    SourceKind,
    SourceState,
    Story,
    Subscriber,
    Subscription,
)

EventOrder = Literal["newest", "top", "timeline"]
"""``newest``: by last update, latest first; ``top``: by score, highest first;
``timeline``: by first seen, earliest first (a storyline's events in story order)."""


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which live events with a story ``list_events`` returns; every field set must hold.

    ``since``: last updated at or after this moment. ``topic``: ``topic`` is one of the
    story's tags. ``entity``: one of the story's entities equals ``entity`` ignoring
    case. ``source_id``: an item of the event comes from this source. ``min_score``:
    the story's score is at least this. ``min_sources``: the story counts at least this
    many sources. ``platforms``: an item of the event comes from a source of one of
    these kinds (``mastodon``, ``hackernews``, …). ``storyline_id``: the event belongs
    to this storyline."""

    since: datetime | None = None
    topic: str | None = None
    entity: str | None = None
    source_id: str | None = None
    min_score: float | None = None
    min_sources: int = 1
    platforms: tuple[SourceKind, ...] = ()
    storyline_id: int | None = None


SourceStatus = Literal["ok", "failing", "paused", "disabled", "pending"]


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """A source as the sources page shows it: its polling state (None before the first
    poll), how many items it gave, and when its newest item was published."""

    source: Source
    state: SourceState | None
    items: int
    last_item_at: datetime | None

    @property
    def status(self) -> SourceStatus:
        """One word for how polling goes: ``disabled`` (an operator turned it off),
        ``pending`` (never polled yet), ``paused`` (stopped after days of failures; the
        state's ``paused_reason`` says why), ``failing`` (its last polls failed), else
        ``ok``."""
        state = self.state
        if not self.source.enabled:
            return "disabled"
        if state is None or (state.last_ok_at is None and state.last_error_at is None):
            return "pending"
        if state.paused_reason:
            return "paused"
        if state.consecutive_failures > 0:
            return "failing"
        return "ok"


@dataclass(frozen=True, slots=True)
class TopicActivity:
    """One live event with a story, for charts: when it was first seen and its tags."""

    cluster_id: int
    first_seen: datetime
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FetchTotals:
    """Totals over the fetch log: attempts, attempts that failed (an error, or a status
    that is neither 2xx nor 304), and the new items they stored."""

    fetches: int
    errors: int
    items_new: int


@dataclass(frozen=True, slots=True)
class Backlog:
    """Work waiting, for ``/metrics``: items stored but in no event, the age in seconds
    of the oldest of them (0 when none), enabled sources whose next poll is overdue and
    by how many seconds the most overdue one is late (0 when none)."""

    unclustered_items: int
    oldest_unclustered_s: float
    overdue_sources: int
    poll_lag_s: float


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What ``add_item`` did: ``stored`` a new item, found it ``existing`` (same id), or
    recorded it as a ``duplicate`` of ``duplicate_of`` (same canonical URL or content)."""

    status: Literal["stored", "existing", "duplicate"]
    item_id: str
    duplicate_of: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class EventView:
    """An event as pages and the API show it: the cluster, its story (None until the
    first summary is written) and its coverage ordered by authority, primary first."""

    cluster: Cluster
    story: Story | None
    coverage: tuple[CoverageEntry, ...]

    @property
    def path(self) -> str:
        """The event page's path, ``/cluster/<id>-<slug>``."""
        return f"/cluster/{self.cluster.id}-{self.cluster.slug}"


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of events and the opaque cursor of the next page (None at the end)."""

    events: tuple[EventView, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class FetchLogEntry:
    """One fetch attempt of a source, for the fetch log."""

    source_id: str
    url: str
    started_at: datetime
    duration_ms: int
    status: int | None
    items_seen: int
    items_new: int
    error: str | None


@dataclass(frozen=True, slots=True)
class Counts:
    """Totals for the status line and tests. ``clusters`` and ``multi_source_clusters``
    count live events; events merged into others are counted in ``merged_clusters``;
    ``brief_editions`` counts the stored editions of the Brief."""

    sources: int
    items: int
    duplicates: int
    clusters: int
    multi_source_clusters: int
    stories: int
    merged_clusters: int = 0
    brief_editions: int = 0


class Storage(Protocol):
    """The database behind PulseAugur. See the module docstring for the rules."""

    # sources
    def sync_sources(self, sources: Iterable[Source]) -> None:
        """Insert or update these sources (by id), as given; sources not listed are left
        alone. A removed source listed here is restored."""

    def seed_sources(self, sources: Iterable[Source]) -> int:
        """Load a source list without overriding operators: new sources are inserted,
        known ones get the list's metadata but keep their ``enabled`` flag, and sources
        an operator removed stay removed. Returns how many were inserted."""

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        """Enable or disable a source; ``NotFoundError`` if unknown."""

    def remove_source(self, source_id: str, when: datetime) -> None:
        """Remove a source: it is no longer listed or polled, and a source list loaded
        later does not bring it back; its items stay. ``NotFoundError`` if unknown."""

    def get_sources(self, *, enabled_only: bool = False) -> list[Source]:
        """All sources not removed, ordered by id."""

    def get_source(self, source_id: str) -> Source:
        """One source; ``NotFoundError`` if unknown."""

    def get_source_state(self, source_id: str) -> SourceState:
        """The scheduler's state of a source (an empty state if never polled)."""

    def save_source_state(self, state: SourceState) -> None:
        """Replace the scheduler's state of a source."""

    def get_subscription(self, source_id: str) -> Subscription | None:
        """The source's WebSub subscription, if one was ever requested."""

    def save_subscription(self, subscription: Subscription) -> None:
        """Insert or replace the source's WebSub subscription."""

    def log_fetch(self, entry: FetchLogEntry) -> None:
        """Append one fetch attempt to the fetch log."""

    # items
    def add_item(self, item: Item) -> ItemOutcome:
        """Store an item unless it, or a duplicate of it, is already stored."""

    def known_item_ids(self, item_ids: Sequence[str]) -> set[str]:
        """Those of ``item_ids`` already stored or recorded as duplicates."""

    def linked_cluster(self, item: Item) -> int | None:
        """The event ``item`` belongs with through a link: the event of the article it
        links to (``item.linked_url``), else the event of the earliest post linking to
        it (``item.canonical_url``); None when neither is stored and clustered."""

    def get_items(self, item_ids: Sequence[str]) -> list[Item]:
        """The stored items with these ids, in the order asked (unknown ids skipped)."""

    def items_without_cluster(self) -> list[Item]:
        """Stored items that belong to no cluster, oldest first (normally none: a crash
        between storing an item and clustering it leaves one behind)."""

    # clusters
    def max_cluster_id(self) -> int:
        """The largest cluster id in use, 0 when there is none."""

    def save_cluster(self, cluster: Cluster) -> None:
        """Insert or update a cluster (by id). A merged event stays merged: when the
        stored cluster has ``merged_into``, the stored value is kept whatever ``cluster``
        says (a stale copy saved after a merge cannot undo it)."""

    def add_membership(self, cluster_id: int, item_id: str, similarity: float) -> bool:
        """Put an item in a cluster; False (and no change) if it already is in one."""

    def storylines(self, cluster_ids: Sequence[int]) -> dict[int, int]:
        """The storyline id of each of these clusters that has one and was not merged."""

    def merge_clusters(self, absorbed: int, survivor: int, when: datetime) -> None:
        """Merge event ``absorbed`` into event ``survivor``, all in one transaction.

        The absorbed event's items move to ``survivor``, after its own items and in their
        order (each item stays in exactly one event); ``absorbed`` gets ``merged_into =
        survivor`` (and no items), as does every event that had been merged into it, so
        redirects never chain; its story is deleted (the caller writes the survivor's
        story anew). The survivor's ``last_updated`` becomes ``when`` and its item and
        source counts are recounted.

        Merging an event already merged into ``survivor`` again changes nothing.
        ``NotFoundError`` when either id is unknown; ``MergeError`` for a merge into
        itself, into an event that was itself merged, or of an event already merged into
        another one. On any error nothing is changed.
        """

    def merge_storylines(self, absorbed: int, survivor: int) -> int:
        """Move every event of storyline ``absorbed`` to storyline ``survivor`` (events
        merged into others included, so their redirects agree); returns how many events
        moved. Idempotent: a second call moves nothing. ``MergeError`` when the two ids
        are the same."""

    def get_cluster(self, cluster_id: int) -> Cluster:
        """One cluster; ``NotFoundError`` if unknown."""

    def cluster_coverage(self, cluster_id: int) -> list[CoverageEntry]:
        """The items of a cluster with their sources, in the order they joined."""

    def recent_cluster_members(self, since: datetime) -> list[tuple[int, Item]]:
        """(cluster id, item) for every item of live (not merged) clusters updated at or
        after ``since``, oldest item first: what an online clusterer needs to resume after
        a restart."""

    # stories
    def save_story(self, story: Story) -> None:
        """Insert or replace the story of a cluster."""

    def get_event(self, cluster_id: int) -> EventView:
        """One event with its story and coverage; ``NotFoundError`` if unknown. A merged
        event is still found by its id: no story, no coverage, and ``merged_into``
        naming the live event that holds its items."""

    def list_events(
        self,
        *,
        limit: int = 20,
        cursor: str | None = None,
        order: EventOrder = "newest",
        where: EventFilter | None = None,
    ) -> EventPage:
        """Live (not merged) events that have a story and pass ``where``, in ``order``,
        ``limit`` at a time; pass ``next_cursor`` back (with the same ``order`` and
        ``where``) to get the next page. ``ValueError`` for a cursor this method did not
        make."""

    def search_events(self, query: str, *, limit: int = 20, cursor: str | None = None) -> EventPage:
        """Live events with a story matching the words of ``query`` (full text over the
        headline, summary, IMPACT, tags, entities and the items' titles, ``title_en``
        included), best match first (equal matches: higher id first); every word must
        match, and English words match their other forms. ``query`` is the reader's
        text, never a query language: quotes, operators and punctuation in it are only
        words, and a query with no words matches nothing. SQLite uses FTS5, PostgreSQL
        its full-text search (see ``pulseaugur.storage.search``). ``ValueError`` for a
        bad cursor."""

    def topic_activity(self, since: datetime) -> list[TopicActivity]:
        """Every live event with a story first seen at or after ``since``, oldest
        first."""

    # the Brief
    def brief_candidates(self, start: datetime, end: datetime) -> list[tuple[Cluster, Story]]:
        """Live (not merged) events with a story whose span meets ``[start, end)``: first
        seen before ``end`` and last updated at or after ``start``; ordered by id."""

    def save_brief(self, edition: BriefEdition, *, replace: bool = False) -> bool:
        """Store an edition of the Brief under its id (its date), with its entries, in one
        transaction. An edition already stored for that date is kept and False returned,
        unless ``replace`` (a rebuild): then it is replaced whole. True when written."""

    def get_brief(self, edition_id: str) -> BriefEdition:
        """The edition stored for ``edition_id`` (``YYYY-MM-DD``), entries in rank order;
        ``NotFoundError`` when there is none."""

    def list_briefs(self, *, limit: int = 30, before: str | None = None) -> list[BriefEdition]:
        """Up to ``limit`` editions, newest date first, with their entries; only those
        dated before ``before`` (an edition id) when it is given."""

    def brief_neighbours(self, edition_id: str) -> tuple[str | None, str | None]:
        """The ids of the stored editions just before and just after ``edition_id``
        (None where there is none); ``edition_id`` itself need not be stored."""

    # subscribers of the Brief by email
    def add_subscriber(self, email: str, token: str, when: datetime) -> tuple[Subscriber, bool]:
        """Subscribe ``email`` (already normalized) with the secret unsubscribe ``token``.
        A new address is stored; an unsubscribed one is active again from ``when``, with
        ``token`` as its new secret; an active one is left as it is. Returns the
        subscriber and whether it became active now (False: it already was)."""

    def find_subscriber(self, email: str) -> Subscriber | None:
        """The subscriber with this (normalized) address, active or not."""

    def get_subscriber(self, token: str) -> Subscriber:
        """The subscriber whose unsubscribe token is ``token``; ``NotFoundError`` if none."""

    def unsubscribe(self, token: str, when: datetime) -> Subscriber:
        """End the subscription of ``token`` at ``when`` (an ended one keeps its first
        end time) and return it; ``NotFoundError`` for an unknown token."""

    def list_subscribers(self, *, active_only: bool = False) -> list[Subscriber]:
        """Every subscriber (only the active ones with ``active_only``), by id."""

    def undelivered(self, edition_id: str, *, interrupted: bool = False) -> list[Subscriber]:
        """The active subscribers the edition is still to be mailed to, by id: those with
        no delivery of it, or a failed one; also those left ``sending`` with
        ``interrupted``."""

    def claim_delivery(
        self, edition_id: str, subscriber_id: int, when: datetime, *, interrupted: bool = False
    ) -> bool:
        """Mark the edition as being mailed to the subscriber (``sending``), before the
        message is handed over. True when this caller won the claim: there was no
        delivery, or a failed one (or, with ``interrupted``, one left ``sending``);
        False, and no change, otherwise (already sent, or another sender has it)."""

    def finish_delivery(
        self,
        edition_id: str,
        subscriber_id: int,
        when: datetime,
        error: str | None = None,
        *,
        permanent: bool = False,
    ) -> None:
        """Record the outcome of a claimed delivery: ``sent`` without ``error``; with
        one, ``failed`` (claimable again: tried on the next run), or ``refused`` when
        ``permanent`` (never claimed again)."""

    def delivery_counts(self, edition_id: str) -> dict[DeliveryStatus, int]:
        """How many deliveries of the edition are in each state (states with none are
        left out)."""

    def tokens_spent(self, day: date) -> int:
        """Tokens the LLM summarizer recorded for UTC ``day`` (0 when none)."""

    def add_tokens(self, day: date, tokens: int) -> int:
        """Add ``tokens`` (>= 0) to UTC ``day``'s count atomically; returns the new total.
        ``ValueError`` for a negative count."""

    def source_health(self) -> list[SourceHealth]:
        """Every source that was not removed, with its polling state and item figures,
        ordered by tier then display name."""

    def revision(self) -> int:
        """A number that grows whenever anything a page or feed shows may have changed
        (items, events, stories, merges, editions, sources and their state): equal
        revisions mean equal pages. One cheap read."""

    def backlog(self, now: datetime) -> Backlog:
        """Work waiting at ``now`` (see ``Backlog``)."""

    def fetch_totals(self) -> FetchTotals:
        """Totals over every fetch logged (see ``FetchTotals``)."""

    def counts(self) -> Counts:
        """Row totals (events split into live and merged, see ``Counts``)."""

    def close(self) -> None:
        """Release connections."""
