"""The records that travel through the pipeline.

Every record is a frozen dataclass: stages receive records and return new ones, and
never mutate what they were given. All datetimes are timezone-aware and in UTC.

    Source ──fetch──▶ FetchResult ──parse──▶ RawItem ──normalize──▶ Item
    Item ──cluster──▶ Assignment ──▶ Cluster ──summarize/rank──▶ Story
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SourceKind = Literal["feed", "mastodon", "bluesky", "hackernews", "reddit", "arxiv", "lobsters"]
"""How a source's documents are read. ``feed`` covers RSS 0.9x/1.0/2.0, RDF, Atom and JSON
Feed; the others are the platforms' own APIs, each parsed by its module in ``sources/``."""

SOURCE_KINDS: tuple[SourceKind, ...] = (
    "feed",
    "mastodon",
    "bluesky",
    "hackernews",
    "reddit",
    "arxiv",
    "lobsters",
)

JSONValue = Any
"""A value that ``json.dumps`` accepts (dicts, lists, strings, numbers, booleans, None)."""


@dataclass(frozen=True, slots=True)
class Source:
    """A place we read from.

    ``id`` is a stable slug (``techcrunch``); ``tier`` runs from 1 (primary sources and
    the most authoritative outlets) to 3; ``languages`` are ISO 639-1 codes; ``domains``
    are the web hosts whose articles belong to this source (used to attribute items
    found through collections and replays).
    """

    id: str
    kind: SourceKind
    url: str
    name: str
    outlet: str
    section: str | None = None
    tier: int = 2
    languages: tuple[str, ...] = ("en",)
    poll_interval_s: int = 900
    domains: tuple[str, ...] = ()
    enabled: bool = True
    primary: bool = False
    """True for first-party publishers (a lab's own blog, arXiv): their posts are originals."""

    @property
    def display_name(self) -> str:
        """``Outlet — Section`` as the coverage list shows it."""
        return f"{self.outlet} — {self.section}" if self.section else self.outlet


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the scheduler remembers of a source between polls."""

    source_id: str
    etag: str | None = None
    last_modified: str | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    interval_s: int | None = None
    """The current polling interval, adapted to how often the source really updates
    (None until the first successful poll: the source's configured interval applies)."""
    failing_since: datetime | None = None
    """When the current run of failures began (None while the source is healthy)."""
    paused_reason: str | None = None
    """Why polling stopped (a source failing for days); None while it is polled."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A WebSub subscription of a source's feed at its hub.

    ``state`` is ``pending`` from the request until the hub verifies it, then
    ``active`` until ``lease_expires_at``; ``denied`` when the hub refused. ``secret``
    signs the hub's deliveries (HMAC); ``topic`` is the feed URL as the feed names it.
    """

    source_id: str
    hub: str
    topic: str
    secret: str
    state: Literal["pending", "active", "denied"]
    requested_at: datetime
    lease_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP fetch of a source.

    ``status`` is the final HTTP status after redirects; ``not_modified`` is true for a
    304 (``content`` is then empty). ``url`` is the final URL after redirects.
    """

    url: str
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    fetched_at: datetime | None = None
    max_age_s: int | None = None
    """``Cache-Control: max-age`` of the response: the server asks not to be polled again
    sooner (None when it did not say)."""


@dataclass(frozen=True, slots=True)
class RawItem:
    """One entry as a parser found it, before any cleaning.

    Text fields hold what the document held (HTML included). ``published`` and
    ``updated`` are UTC when the document gave a parseable date, else None. ``raw`` is a
    JSON-serializable view of the entry for the ``raw_json`` column.
    """

    guid: str | None
    url: str | None
    title: str | None
    summary: str | None
    content: str | None
    authors: tuple[str, ...]
    published: datetime | None
    updated: datetime | None
    lang: str | None
    raw: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    """An item in the common shape.

    ``id`` is derived from the source and the item's identity (guid, else canonical
    URL, else content hash), so the same document always gets the same id. ``body`` and
    ``excerpt`` are plain text; ``title_en`` is the title for English items and empty
    when no translation backend produced one (never a fake translation).
    ``published_at`` falls back to ``fetched_at`` when the source gave no date, and
    ``date_flag`` then says so (``missing``; ``future`` when the date was clamped).
    """

    id: str
    source_id: str
    guid: str | None
    url_original: str | None
    canonical_url: str | None
    title: str
    title_en: str
    body: str
    excerpt: str
    authors: tuple[str, ...]
    lang: str
    published_at: datetime
    fetched_at: datetime
    content_hash: str
    raw_json: Mapping[str, JSONValue]
    date_flag: str | None = None
    near_duplicate_of: str | None = None
    """The id of an earlier item this one nearly copies (a syndicated copy), if any."""
    linked_url: str | None = None
    """For a social post or an aggregator entry: the canonical URL of the article it
    links to (so the post joins that article's event as a reaction)."""


@dataclass(frozen=True, slots=True)
class ClusterDoc:
    """What the clusterer sees of an item (the ``pulseaugur cluster`` input line)."""

    id: str
    title: str
    body: str | None = None
    lang: str | None = None
    published_at: datetime | None = None
    source: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    """The clusterer's decision for one document."""

    doc_id: str
    cluster_id: int
    storyline_id: int
    created: bool
    """True when the document started a new cluster."""
    similarity: float
    merged: tuple[int, ...] = ()
    """Ids of open events that this document's arrival showed to be the same event as
    ``cluster_id``, absorbed into it (in absorption order): their documents now belong
    to ``cluster_id`` and their ids must redirect to it. Empty for most documents."""
    merged_storylines: tuple[tuple[int, int], ...] = ()
    """``(absorbed, survivor)`` storyline ids, in order, when this document's arrival
    showed storylines to be one story: every event of ``absorbed`` now belongs to
    ``survivor`` (the older one). Empty for most documents."""


@dataclass(frozen=True, slots=True)
class Cluster:
    """An event: the items that report one happening."""

    id: int
    slug: str
    first_seen: datetime
    last_updated: datetime
    state: Literal["open", "closed"] = "open"
    storyline_id: int | None = None
    item_count: int = 0
    source_count: int = 0
    merged_into: int | None = None


@dataclass(frozen=True, slots=True)
class CoverageEntry:
    """One item of an event, with the source that published it."""

    item: Item
    source: Source


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """A summary sentence and the ids of the items it was drawn from."""

    text: str
    item_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScoreParts:
    """The shown parts of an event's 0–100 score; ``total`` is their weighted sum."""

    authority: float
    cluster_strength: float
    headline_signal: float
    time_decay: float
    total: float


@dataclass(frozen=True, slots=True)
class Story:
    """The published view of a cluster.

    ``summarizer`` names what wrote the text: ``extractive`` or a model's name.
    ``coverage_item_ids`` lists the event's items ordered by authority, primary first.
    ``entities`` are the names the event involves, most prominent first (the entity
    filter ``/?entity=…`` matches them).
    """

    cluster_id: int
    headline: str
    summary: tuple[SummarySentence, ...]
    impact: str
    rank_reason: str
    tags: tuple[str, ...]
    event_type: str
    score: ScoreParts
    primary_item_id: str
    summarizer: str
    source_count: int
    coverage_item_ids: tuple[str, ...]
    version: int = 1
    entities: tuple[str, ...] = ()

    @property
    def summary_text(self) -> str:
        """The summary sentences joined into one paragraph."""
        return " ".join(s.text for s in self.summary)


@dataclass(frozen=True, slots=True)
class BriefEntry:
    """One event in an edition of the Brief, as it stood when the edition was published.

    ``cluster_id`` and ``slug`` make the event's path (``/cluster/<id>-<slug>``), which
    keeps answering when the event is later merged (it redirects to the survivor);
    ``headline``, ``lead`` (the summary's first sentence), ``score``, ``source_count`` and
    ``tags`` are copies, so the edition reads the same whatever happens to the event.
    """

    rank: int
    cluster_id: int
    slug: str
    headline: str
    lead: str
    score: float
    source_count: int
    tags: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """The event page's path, ``/cluster/<id>-<slug>``."""
        return f"/cluster/{self.cluster_id}-{self.slug}"


@dataclass(frozen=True, slots=True)
class BriefEdition:
    """A daily edition of the Brief: the events of the 24 hours to ``window_end`` that
    passed the gate, best first.

    ``id`` is the edition's UTC date, ``YYYY-MM-DD`` (the date of ``window_end``);
    ``published_at`` is when it was written; ``min_score``, ``min_sources`` and
    ``max_events`` are the gate it was selected with, kept so the page can say so.
    """

    id: str
    window_start: datetime
    window_end: datetime
    published_at: datetime
    min_score: float
    min_sources: int
    max_events: int
    entries: tuple[BriefEntry, ...]


DeliveryStatus = Literal["sending", "sent", "failed", "refused"]
"""Where one edition's mail to one subscriber stands: claimed and being sent
(``sending``; left so by a crash, it is not sent again automatically), accepted by the
SMTP server (``sent``), refused for now or cut off (``failed``, tried again on the next
run), or refused for good by the server (``refused``, a 5xx reply: not retried)."""


@dataclass(frozen=True, slots=True)
class Subscriber:
    """A reader of the Brief by email.

    ``email`` is normalized (``brief_mail.normalize_address``: lower-cased, ASCII, the
    domain in IDNA form) and unique; ``token`` is the secret of the subscriber's
    unsubscribe link (random, URL-safe; never shown in ``repr`` or logs);
    ``unsubscribed_at`` is None while the subscription is active.
    """

    id: int
    email: str
    token: str = field(repr=False)
    created_at: datetime
    unsubscribed_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether editions are mailed to this subscriber."""
        return self.unsubscribed_at is None
