"""dedup stage: identity keys (item ids) and exact-duplicate keys (content hashes).

Storage finds exact duplicates through ``Item.canonical_url`` and ``Item.content_hash``;
this package only computes the keys. See ``pulseaugur.dedup.keys``.
"""

from pulseaugur.dedup.keys import ITEM_ID_HEX_CHARS, content_hash, item_id, normalize_for_hash

__all__ = ["ITEM_ID_HEX_CHARS", "content_hash", "item_id", "normalize_for_hash"]
