"""Identity and duplicate keys for items.

Two keys come out of an item:

- ``item_id``: who the item *is*. It hashes the source id with the item's own identity:
  the feed's guid, else its canonical URL, else its content hash. The same entry read
  again from the same source always gets the same id, so storing it again is a no-op.
- ``content_hash``: what the item *says*. It hashes a normalized form of the title and
  body, so the same text under another URL or from another source hashes alike.

Exact duplicates across items (the same article from two sources, or re-published under
a new guid) are found by storage, which keeps one item per canonical URL and per content
hash (see ``pulseaugur.storage.base``). Near duplicates (rewrites, syndicated copies with
other boilerplate) are the clusterer's business, not this module's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["ITEM_ID_HEX_CHARS", "content_hash", "item_id", "normalize_for_hash"]

ITEM_ID_HEX_CHARS = 20
"""Length of an item id: 20 hex characters, 80 bits of SHA-256."""

# Runs of anything but letters and digits; combining marks of the common scripts
# (Indic vowel signs, Arabic and Hebrew points, Thai tone marks, ...) count as letters,
# which Python's ``\w`` alone does not do.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\u3099\u309a\ufe20-\ufe2f"
)
_SEPARATORS = re.compile(f"(?:[^\\w{_MARKS}]|_)+")


def normalize_for_hash(text: str) -> str:
    """The form ``content_hash`` compares: NFKC, case-folded, every run of punctuation,
    symbols and whitespace turned into one space, trimmed. Letters, digits and
    combining marks of every script are kept, so ``“GPT-5” is here!`` and
    ``gpt 5 IS here`` are the same."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SEPARATORS.sub(" ", folded).strip()


def content_hash(title: str, body: str) -> str:
    """SHA-256 hex digest (64 characters) of the normalized title and body.

    Both are normalized with ``normalize_for_hash`` and joined by a newline, which the
    normalization never leaves in either part. An item whose body normalizes to nothing
    (title-only entries, link posts) is hashed on its title alone: two such items with the
    same title count as the same content, which is right for re-posted links and wrong
    only for generic titles from different sources (storage then keeps the first).
    """
    norm_title = normalize_for_hash(title)
    norm_body = normalize_for_hash(body)
    payload = f"{norm_title}\n{norm_body}" if norm_body else norm_title
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def item_id(source_id: str, guid: str | None, canonical_url: str | None, content_hash: str) -> str:
    """A stable id: the first ``ITEM_ID_HEX_CHARS`` hex characters of SHA-256 over the
    source id and the first present (non-blank) of ``guid``, ``canonical_url`` and
    ``content_hash``, each tagged with its kind so a guid never collides with an equal
    URL. Guids are compared as given apart from surrounding whitespace (feeds treat
    them as opaque). Deterministic across runs and machines."""
    key = (guid or "").strip()
    kind = "guid"
    if not key:
        key, kind = (canonical_url or "").strip(), "url"
    if not key:
        key, kind = content_hash.strip(), "hash"
    payload = f"{source_id}\x1f{kind}\x1f{key}"
    return hashlib.sha256(payload.encode("utf-8", errors="surrogatepass")).hexdigest()[
        :ITEM_ID_HEX_CHARS
    ]
