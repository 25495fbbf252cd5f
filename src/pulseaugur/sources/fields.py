"""Small, total readers of untrusted document fields, shared by every parser.

A field of a fetched document can hold anything: the wrong type, whitespace, ``NaN``, a
relative or malformed URL. Each reader here takes such a value and returns it in the
one shape a parser wants, or None (never an exception, except where a docstring says
so). The JSON loaders turn every undecodable body into a one-line ``ParseError`` naming
the URL. Everything here is pure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn
from urllib.parse import urljoin, urlsplit

from pulseaugur.errors import ParseError

__all__ = [
    "count",
    "link",
    "load_json",
    "load_json_lenient",
    "nonblank",
    "normalize_lang",
    "parse_iso_date",
    "reject_constant",
    "text",
    "web_url",
]


# --- JSON documents -------------------------------------------------------------------


def reject_constant(name: str) -> NoReturn:
    """The ``parse_constant`` hook for ``json.loads``: refuses ``NaN``, ``Infinity`` and
    ``-Infinity`` (which ``json`` accepts by default) with a ``ValueError``."""
    raise ValueError(f"{name} is not valid JSON")


def load_json(content: bytes, *, url: str, content_type: str | None, what: str) -> Any:
    """The JSON value of ``content`` (UTF-8, -16 or -32, detected as ``json.loads`` does;
    undecodable bytes are invalid JSON).

    ``what`` names what the document should have been (``"Mastodon statuses"``). Raises
    ``ParseError(url, …)`` with ``"empty document, not {what}"`` for a blank body, and
    ``"not {what}: invalid JSON ({media type}): {reason}"`` for anything else that is not
    JSON — ``NaN``/``Infinity`` and too-deep nesting included. The media type (without
    parameters) appears only when ``content_type`` is given; the reason is the decoder's
    message on one line, at most 200 characters. Never raises anything else.
    """
    if not content.strip():
        raise ParseError(url, f"empty document, not {what}")
    try:
        return json.loads(content, parse_constant=reject_constant)
    except (ValueError, RecursionError) as exc:
        media = f" ({content_type.split(';')[0].strip()})" if content_type else ""
        reason = " ".join(str(exc).split())[:200]
        raise ParseError(url, f"not {what}: invalid JSON{media}: {reason}") from None


def load_json_lenient(content: bytes, *, url: str, what: str) -> Any:
    """The JSON value of ``content``, decoded in its detected encoding (UTF-8, -16 or
    -32) with undecodable bytes replaced by U+FFFD rather than refused.

    ``what`` names what the document should have been (``"a Reddit listing"``). Raises
    ``ParseError(url, …)`` with ``"empty document, not {what}"`` for a blank body, and
    ``"not {what}: invalid JSON ({reason})"`` (the decoder's message as it is) for
    anything else that is not JSON — ``NaN``/``Infinity`` and too-deep nesting included.
    Never raises anything else.
    """
    if not content.strip():
        raise ParseError(url, f"empty document, not {what}")
    try:
        decoded = content.decode(json.detect_encoding(content), errors="replace")
        return json.loads(decoded, parse_constant=reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ParseError(url, f"not {what}: invalid JSON ({exc})") from None


# --- scalar fields --------------------------------------------------------------------


def count(value: Any) -> int | None:
    """``value`` when it is an ``int`` (of any sign) and not a ``bool``, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    """``value`` stripped of surrounding whitespace when it is a string with anything
    left, else None."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def nonblank(value: Any) -> str | None:
    """``value`` itself, unstripped, when it is a string with a non-whitespace
    character, else None."""
    return value if isinstance(value, str) and value.strip() else None


def normalize_lang(value: Any) -> str | None:
    """``en-US`` / ``pt_BR`` / ``EN`` → ``en``; anything that is not a 2-3 letter primary
    language subtag → None."""
    if not isinstance(value, str):
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if 2 <= len(primary) <= 3 and primary.isascii() and primary.isalpha() else None


def parse_iso_date(value: Any) -> datetime | None:
    """An RFC 3339 / ISO 8601 date (surrounding whitespace ignored), else an RFC 822
    one, as an aware UTC datetime; a date without an offset is taken as UTC. None for
    anything else, and for dates that cannot be expressed in UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    stripped = value.strip()
    try:
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(stripped)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


# --- links ----------------------------------------------------------------------------


def web_url(value: str | None, base: str) -> str | None:
    """``value`` (stripped) made absolute against ``base`` (the document's URL) when
    ``base`` is an http(s) URL; None unless the result is an http(s) URL (``tag:`` ids
    and the like are not links).

    Not total: a malformed URL (``http://[``) raises ``ValueError``; see :func:`link`.
    """
    if value is None:
        return None
    value = value.strip()
    if urlsplit(base).scheme.lower() in ("http", "https"):
        value = urljoin(base, value)
    return value if urlsplit(value).scheme.lower() in ("http", "https") else None


def link(value: Any, base: str) -> str | None:
    """``value`` as an absolute http(s) URL (resolved against ``base`` as by
    :func:`web_url`), else None; a value that is not a non-blank string, or a malformed
    URL (``http://[``), is None too, never an exception."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return web_url(value, base)
    except ValueError:
        return None
