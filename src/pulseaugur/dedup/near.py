"""Near-duplicates: syndicated copies and the same wire story on many sites.

Two items are near-duplicates when their texts' 64-bit SimHashes (over word 3-shingles
of the case-folded body, else the title and body) differ in at most ``MAX_DISTANCE``
bits. Texts shorter than ``MIN_TOKENS`` words are not compared: a short title says too
little (two outlets' "OpenAI launches GPT-5" are two reports, not one copy).

``NearDuplicateIndex`` finds a stored item within that distance in time sub-linear in
the number of items: the hash is cut into ``MAX_DISTANCE + 1`` bands, and by the
pigeonhole principle a hash within the distance shares at least one band exactly, so
only items sharing a band are compared. Entries published more than ``window`` before
the newest are dropped as items arrive (in roughly time order), which bounds memory.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict, deque
from datetime import datetime, timedelta

import numpy as np

MAX_DISTANCE = 3
MIN_TOKENS = 40
BANDS = MAX_DISTANCE + 1
_BAND_BITS = 64 // BANDS
_WORD = re.compile(r"\w+", re.UNICODE)


def simhash(text: str) -> int | None:
    """The 64-bit SimHash of ``text``'s word 3-shingles; None below ``MIN_TOKENS`` words."""
    words = _WORD.findall(text.casefold())
    if len(words) < MIN_TOKENS:
        return None
    digests = b"".join(
        hashlib.blake2b(" ".join(words[i : i + 3]).encode("utf-8"), digest_size=8).digest()
        for i in range(len(words) - 2)
    )
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8)).reshape(-1, 64)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - bits.shape[0]
    return int.from_bytes(np.packbits(votes > 0).tobytes(), "big")


def distance(a: int, b: int) -> int:
    """Bits that differ between two hashes."""
    return (a ^ b).bit_count()


def _bands(value: int) -> list[tuple[int, int]]:
    mask = (1 << _BAND_BITS) - 1
    return [(band, value >> (band * _BAND_BITS) & mask) for band in range(BANDS)]


class NearDuplicateIndex:
    """Finds earlier items whose text is a near copy of a new one's."""

    def __init__(self, window: timedelta = timedelta(days=7)) -> None:
        self.window = window
        self._buckets: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
        self._order: deque[tuple[datetime, str, int]] = deque()

    def __len__(self) -> int:
        return len(self._order)

    def find(self, value: int) -> str | None:
        """The id of the closest indexed item within ``MAX_DISTANCE``, or None."""
        best: tuple[int, str] | None = None
        for key in _bands(value):
            for item_id, other in self._buckets.get(key, ()):
                d = distance(value, other)
                if d <= MAX_DISTANCE and (best is None or (d, item_id) < best):
                    best = (d, item_id)
        return best[1] if best else None

    def add(self, item_id: str, value: int, published_at: datetime) -> None:
        """Index an item; items published more than ``window`` before it are dropped."""
        for key in _bands(value):
            self._buckets[key].append((item_id, value))
        self._order.append((published_at, item_id, value))
        horizon = published_at - self.window
        while self._order and self._order[0][0] < horizon:
            _, old_id, old_value = self._order.popleft()
            for key in _bands(old_value):
                bucket = self._buckets[key]
                bucket.remove((old_id, old_value))
                if not bucket:
                    del self._buckets[key]
