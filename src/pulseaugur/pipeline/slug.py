"""URL slugs for event pages (``/cluster/<id>-<slug>``)."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 80


def slugify(text: str, *, fallback: str = "event") -> str:
    """Lower-case ASCII words joined by ``-``, at most ``MAX_SLUG_LENGTH`` characters, cut
    at a word boundary. Accents are folded (``Käse`` → ``kase``); text with no Latin
    letters or digits (a Chinese title, say) gives ``fallback``."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG_LENGTH:
            break
        slug = candidate
    return slug or (words[0][:MAX_SLUG_LENGTH] if words else fallback)
