"""Formatting shared by the pages and the API: pure functions, no I/O.

Everything a feed gives us is untrusted. Templates autoescape text; links go through
``safe_url`` so that only ``http(s)`` addresses ever reach an ``href``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from pulseaugur.storage.base import EventView
from pulseaugur.types import CoverageEntry, Item

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


SOCIAL_KINDS = frozenset({"mastodon", "bluesky", "hackernews", "reddit", "lobsters"})
_ENGAGEMENT_WORDS: dict[str, tuple[str, str]] = {
    "points": ("point", "points"),
    "score": ("point", "points"),
    "likes": ("like", "likes"),
    "favourites": ("favourite", "favourites"),
    "reposts": ("repost", "reposts"),
    "reblogs": ("boost", "boosts"),
    "replies": ("reply", "replies"),
    "comments": ("comment", "comments"),
}


def reaction(entry: CoverageEntry) -> str | None:
    """For a post on a social platform or an aggregator, the line that marks it as a
    reaction, with its engagement (``Reaction · 812 points · 361 comments``); None for
    other coverage."""
    if entry.source.kind not in SOCIAL_KINDS:
        return None
    parts = ["Reaction"]
    engagement = entry.item.raw_json.get("engagement")
    if isinstance(engagement, dict):
        for key, (one, many) in _ENGAGEMENT_WORDS.items():
            value = engagement.get(key)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                parts.append(f"{value:,} {one if value == 1 else many}")
    return " · ".join(parts)


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
