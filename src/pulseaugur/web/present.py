"""Formatting shared by the pages and the API: pure functions, no I/O.

Everything a feed gives us is untrusted. Templates autoescape text; links go through
``safe_url`` so that only ``http(s)`` addresses ever reach an ``href``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pulseaugur.rank.topics import TOPIC_SLUGS, topic_slug
from pulseaugur.storage.base import EventView
from pulseaugur.types import CoverageEntry, Item, SourceKind
from pulseaugur.web.i18n import N_, NP_, UiText, ui_text

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}

METHODS_PATH = "/methods/summaries"


def language_name(code: str) -> str:
    """``en`` → ``English``; an unknown code comes back upper-cased."""
    key = code.strip().lower()
    return LANGUAGE_NAMES.get(key, key.upper() or "UNKNOWN")


def language_label(code: str) -> str:
    """The coverage list's language marker: ``English(EN)``."""
    key = code.strip().lower()
    if key in LANGUAGE_NAMES:
        return f"{LANGUAGE_NAMES[key]}({key.upper()})"
    return key.upper() or "UNKNOWN"


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute ``http``/``https`` address, else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def item_url(item: Item) -> str | None:
    """Where an item can be read: its original URL, else its canonical URL."""
    return safe_url(item.url_original) or safe_url(item.canonical_url)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2025-05-01T13:44:13Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def clock_text(moment: datetime) -> str:
    """``HH:MM:SS`` in UTC, as the header's live clock shows it."""
    return moment.astimezone(UTC).strftime("%H:%M:%S")


def utc_text(moment: datetime) -> str:
    """``2025-05-01 13:44 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def ago(moment: datetime, now: datetime) -> str:
    """A short relative time: ``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``; the
    date (``2025-08-07``) when it is a week old or more."""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    if seconds < 7 * 86400:
        return f"{seconds // 86400} d ago"
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def number(value: float) -> str:
    """A score or score part, short: ``72``, ``72.5``, ``0.83``."""
    text = f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def plural(count: int, word: str) -> str:
    """``1 source``, ``2 sources``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


SOCIAL_KINDS: frozenset[SourceKind] = frozenset(
    {"mastodon", "bluesky", "hackernews", "reddit", "lobsters"}
)
"""Source kinds whose items are posts on a social platform or an aggregator."""

PLATFORM_NAMES: dict[SourceKind, str] = {
    "bluesky": "Bluesky",
    "hackernews": "Hacker News",
    "lobsters": "Lobsters",
    "mastodon": "Mastodon",
    "reddit": "Reddit",
}
"""The social platforms, as Pulse names them (brand names: not translated)."""

_ENGAGEMENT_WORDS: dict[str, tuple[str, str]] = {
    "points": NP_("%(num)s point", "%(num)s points"),
    "score": NP_("%(num)s point", "%(num)s points"),
    "likes": NP_("%(num)s like", "%(num)s likes"),
    "favourites": NP_("%(num)s favourite", "%(num)s favourites"),
    "reposts": NP_("%(num)s repost", "%(num)s reposts"),
    "reblogs": NP_("%(num)s boost", "%(num)s boosts"),
    "replies": NP_("%(num)s reply", "%(num)s replies"),
    "comments": NP_("%(num)s comment", "%(num)s comments"),
}


def engagement(item: Item) -> int:
    """The total of an item's engagement counts (points, likes, comments, …) in
    ``raw_json["engagement"]``; 0 when it has none."""
    counts = item.raw_json.get("engagement")
    if not isinstance(counts, dict):
        return 0
    total = 0
    for key in _ENGAGEMENT_WORDS:
        value = counts.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            total += value
    return total


def reaction(entry: CoverageEntry, text: UiText | None = None) -> str | None:
    """For a post on a social platform or an aggregator, the line that marks it as a
    reaction, with its engagement (``Reaction · 812 points · 361 comments``), in the
    language of ``text`` (English by default); None for other coverage."""
    if entry.source.kind not in SOCIAL_KINDS:
        return None
    text = text or ui_text("en")
    parts = [text.gettext("Reaction")]
    counts = entry.item.raw_json.get("engagement")
    if isinstance(counts, dict):
        for key, (one, many) in _ENGAGEMENT_WORDS.items():
            value = counts.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                parts.append(text.ngettext(one, many, value))
    return " · ".join(parts)


TOPIC_LABELS: tuple[str, ...] = (
    N_("models"),
    N_("research"),
    N_("products"),
    N_("agents"),
    N_("coding"),
    N_("funding"),
    N_("deals"),
    N_("people"),
    N_("policy & regulation"),
    N_("legal"),
    N_("safety"),
    N_("security"),
    N_("compute & energy"),
    N_("open source"),
    N_("robotics"),
    N_("health & science"),
    N_("society"),
    N_("media & creative"),
    N_("business"),
    N_("opinion"),
    N_("AI"),
)
"""Every topic tag, marked for the catalog (a test keeps this in step with the taxonomy)."""


def topic_label(tag: str, text: UiText | None = None) -> str:
    """A topic tag as shown in the UI language; tags outside the taxonomy as they are."""
    if text is None or tag not in TOPIC_LABELS:
        return tag
    return text.gettext(tag)


def topic_tag(value: str) -> str | None:
    """The tag a ``topic=`` value names: a slug (``policy``) or the tag itself
    (``policy & regulation``); None when it names no topic."""
    if value in TOPIC_SLUGS:
        return TOPIC_SLUGS[value]
    if value in TOPIC_SLUGS.values():
        return value
    return None


def topic_path(tag: str) -> str | None:
    """The topic page of a tag (``/topics/policy``); None for a tag outside the taxonomy."""
    slug = topic_slug(tag)
    return f"/topics/{slug}" if TOPIC_SLUGS.get(slug) == tag else None


def primary_entry(view: EventView) -> CoverageEntry | None:
    """The coverage entry of the story's primary item, else the first entry."""
    if view.story is not None:
        for entry in view.coverage:
            if entry.item.id == view.story.primary_item_id:
                return entry
    return view.coverage[0] if view.coverage else None


@dataclass(frozen=True, slots=True)
class Citation:
    """A summary sentence and the coverage positions (1-based) it cites."""

    text: str
    positions: tuple[int, ...]


def citations(view: EventView) -> tuple[Citation, ...]:
    """The story's sentences with the coverage list positions of the items they cite."""
    if view.story is None:
        return ()
    position = {entry.item.id: n for n, entry in enumerate(view.coverage, start=1)}
    return tuple(
        Citation(
            s.text,
            tuple(sorted({position[i] for i in s.item_ids if i in position})),
        )
        for s in view.story.summary
    )
