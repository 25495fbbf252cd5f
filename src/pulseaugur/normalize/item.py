"""RawItem → Item: the one place where a parsed entry becomes a pipeline item."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from pulseaugur.dedup.keys import content_hash, item_id
from pulseaugur.normalize.dates import normalize_published, to_utc
from pulseaugur.normalize.language import detect_language
from pulseaugur.normalize.text import clean_title, excerpt, html_to_text
from pulseaugur.normalize.urls import canonical_url, url_domain
from pulseaugur.types import Item, JSONValue, RawItem, Source

__all__ = [
    "EXCERPT_CHARS",
    "FALLBACK_TITLE_CHARS",
    "clean_authors",
    "json_safe",
    "normalize_item",
]

EXCERPT_CHARS = 280
"""Length limit of ``Item.excerpt``."""

FALLBACK_TITLE_CHARS = 100
"""Length limit of a title made from the body when the entry has none."""

_LANGUAGE_SAMPLE_CHARS = 1000
_EMAIL = re.compile(r"^[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>()]+$")
_EMAIL_THEN_NAME = re.compile(r"^\s*<?([^@\s<>()]+@[^@\s<>()]+)>?\s*\((.*)\)\s*$")
_NAME_THEN_EMAIL = re.compile(r"^(.*?)\s*[<(]\s*([^@\s<>()]+@[^@\s<>()]+)\s*[>)]\s*$")
_SLUG_SEPARATORS = re.compile(r"[-_+]+")
_FILE_SUFFIX = re.compile(r"\.(?:html?|php|aspx?|jsp|cms)$", re.IGNORECASE)


def normalize_item(raw: RawItem, source: Source, fetched_at: datetime) -> Item | None:
    """Clean one parsed entry into an ``Item``, or ``None`` when it has neither a title
    nor a URL (nothing to show and nothing to link to).

    - ``title``: ``clean_title(raw.title)``; when empty, the start of the body (up to
      ``FALLBACK_TITLE_CHARS``), else the last path segment of the URL made readable,
      else the URL's host. Never empty.
    - ``body``: ``html_to_text(raw.content)``, or of ``raw.summary`` when the content is
      missing or has no text. ``excerpt``: ``excerpt()`` of the summary's text when there
      is one, else of the body (``EXCERPT_CHARS``).
    - ``authors``: see ``clean_authors``.
    - ``lang``: ``detect_language`` on the title and the start of the text, with the
      entry's declared language, else ``source.languages[0]``, as the declared one.
      ``title_en`` is the title for English items and ``""`` otherwise (no translation
      backend exists; a translation is never faked).
    - ``url_original`` is ``raw.url`` as given (stripped); ``canonical_url`` is its
      canonical form, keeping an entry anchor (``/changelog#1.0.2``; see
      ``canonical_url``'s ``keep_anchor``), or ``None`` when the URL is unusable.
    - ``published_at``/``date_flag``: ``normalize_published`` on ``raw.published``, else
      ``raw.updated`` (Atom entries may carry only that). ``fetched_at`` is stored in UTC
      (a naive one is taken as UTC).
    - ``content_hash`` and ``id`` come from ``pulseaugur.dedup.keys``; ``id`` uses the
      entry's guid, else the canonical URL, else the content hash.
    - ``raw_json`` is a JSON-safe copy of ``raw.raw`` (see ``json_safe``).

    Pure: no I/O apart from loading the language model once per process.
    """
    url = (raw.url or "").strip() or None
    title = clean_title(raw.title or "")
    if not title and url is None:
        return None

    content_text = html_to_text(raw.content) if raw.content else ""
    summary_text = html_to_text(raw.summary) if raw.summary else ""
    body = content_text or summary_text
    lead = excerpt(summary_text or body, EXCERPT_CHARS)

    canonical = canonical_url(url, keep_anchor=True) if url else None
    if not title:
        title = _fallback_title(body, url, canonical)

    declared = raw.lang or (source.languages[0] if source.languages else None)
    language_sample = f"{title}\n{(summary_text or body)[:_LANGUAGE_SAMPLE_CHARS]}"
    lang = detect_language(language_sample, declared)

    published_at, date_flag = normalize_published(raw.published or raw.updated, fetched_at)
    digest = content_hash(title, body)
    guid = (raw.guid or "").strip() or None

    return Item(
        id=item_id(source.id, guid, canonical, digest),
        source_id=source.id,
        guid=guid,
        url_original=url,
        canonical_url=canonical,
        title=title,
        title_en=title if lang == "en" else "",
        body=body,
        excerpt=lead,
        authors=clean_authors(raw.authors),
        lang=lang,
        published_at=published_at,
        fetched_at=to_utc(fetched_at),
        content_hash=digest,
        raw_json=json_safe(raw.raw),
        date_flag=date_flag,
        linked_url=_linked_url(raw, canonical),
    )


def _linked_url(raw: RawItem, canonical: str | None) -> str | None:
    """The canonical form of ``raw.raw["linked_url"]`` (set by the social and aggregator
    parsers), unless it is the item's own URL."""
    value = raw.raw.get("linked_url")
    if not isinstance(value, str) or not value.strip():
        return None
    linked = canonical_url(value.strip())
    return linked if linked != canonical else None


def clean_authors(authors: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Author names as shown: plain text, whitespace collapsed, empties dropped.

    ``jane@example.com (Jane Doe)`` and ``Jane Doe <jane@example.com>`` (RSS and mail
    style) become ``Jane Doe``. A bare e-mail address names nobody; it is kept only when
    the entry names no author at all, and never twice. Duplicates (case-insensitive)
    are dropped, first spelling and order kept.
    """
    names: list[str] = []
    emails: list[str] = []
    for author in authors:
        if not isinstance(author, str):
            continue
        text = clean_title(author)
        if not text:
            continue
        match = _EMAIL_THEN_NAME.match(text) or _NAME_THEN_EMAIL.match(text)
        if match is not None:
            groups = match.groups()
            name = groups[1] if match.re is _EMAIL_THEN_NAME else groups[0]
            email = groups[0] if match.re is _EMAIL_THEN_NAME else groups[1]
            name = name.strip(" \"'")
            if name and not _EMAIL.match(name):
                names.append(name)
            else:
                emails.append(email)
        elif _EMAIL.match(text):
            emails.append(text)
        else:
            names.append(text)
    chosen = names or emails
    seen: set[str] = set()
    result: list[str] = []
    for name in chosen:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            result.append(name)
    return tuple(result)


def json_safe(value: Mapping[str, Any]) -> dict[str, JSONValue]:
    """A deep copy of ``value`` that ``json.dumps`` accepts: dates become ISO 8601
    strings, tuples and sets lists, bytes are decoded as UTF-8 (replacing errors),
    non-finite floats ``None``, other objects their ``str()``, and keys strings."""
    return {str(k): _json_value(v) for k, v in value.items()}


def _json_value(value: Any) -> JSONValue:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return str(value)


def _fallback_title(body: str, url: str | None, canonical: str | None) -> str:
    """A title for an entry that has none: the body's start, else the URL's."""
    if body:
        first_line = body.split("\n", 1)[0]
        return excerpt(first_line, FALLBACK_TITLE_CHARS)
    target = canonical or url or ""
    try:
        path = urlsplit(target).path
    except ValueError:
        path = ""
    segment = unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path else ""
    words = " ".join(_SLUG_SEPARATORS.sub(" ", _FILE_SUFFIX.sub("", segment)).split())
    if words:
        return excerpt(clean_title(words), FALLBACK_TITLE_CHARS)
    host = url_domain(target) if target else None
    return host or excerpt(" ".join(target.split()), FALLBACK_TITLE_CHARS) or "(untitled)"
