"""Neutral headlines from the items' own titles.

:func:`clean_title` turns one outlet's title into a neutral line:

* outlet tails go: ``" | TechCrunch"`` (any short ``|`` tail), and ``" - The Verge"`` /
  ``" — VentureBeat"`` when the tail names a covering source or a known outlet;
* click-bait tails go: ``" - here's how"``, ``" - and why it matters"``, ``" - what we
  know so far"``, ``" - how to try it"``, ``" - and it's free"`` …;
* label prefixes go: ``"Opinion |"``, ``"Exclusive:"``, ``"Show HN:"``, ``"The
  Download:"``, ``"The Batch:"``, ``"#7:"`` …;
* exclamation marks go, and a title over :data:`MAX_HEADLINE_CHARS` is cut at a clause
  boundary, else at a word boundary, with ``…``.

:func:`choose_headline` picks among the cleaned titles of an event: the one most
central to the event (word overlap with the words the event's items share), preferring
statements over questions, third person over "I"/"you", and informative lengths.
Nothing is reworded, so every word of the headline is in some source title.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pulseaugur.summarize.text import content_words, normalize_space

MAX_HEADLINE_CHARS = 110

KNOWN_OUTLETS = (
    "TechCrunch",
    "The Verge",
    "VentureBeat",
    "ZDNET",
    "ZDNet",
    "Wired",
    "WIRED",
    "Reuters",
    "Bloomberg",
    "Axios",
    "CNBC",
    "CNN",
    "BBC",
    "BBC News",
    "The Guardian",
    "The New York Times",
    "NYT",
    "The Information",
    "Ars Technica",
    "Engadget",
    "MIT Technology Review",
    "Financial Times",
    "FT",
    "The Register",
    "Business Insider",
    "Fortune",
    "Forbes",
    "SCMP",
    "South China Morning Post",
    "Hacker News",
    "Medium",
    "Substack",
)
"""Outlet names whose ``" - Name"`` tail is stripped even when no covering source has it."""

MIN_CUT = 45
_CLAUSE_CUT_RE = re.compile(r"[,;:]\s|\s[-–—]\s|\s\(")
_CLAUSE_JOIN_RE = re.compile(
    r"\s(?:as|after|while|amid|following|but|because|despite|since|when|including|which|"
    r"before|although|though|even as)\s"
)
_WEAK_JOIN_RE = re.compile(r"\s(?:and|with|that)\s")
_CUTS = ((_CLAUSE_CUT_RE, MIN_CUT), (_CLAUSE_JOIN_RE, 30), (_WEAK_JOIN_RE, MIN_CUT))
_PREFIX_RE = re.compile(
    r"^\s*(?:(?:opinion|analysis|exclusive|breaking(?: news)?|update[d]?|watch|video|podcast|"
    r"sponsored|show hn|ask hn|launch hn|tell hn|the batch|the download|changelist|"
    r"explainer|live|first look|hands[- ]on)\s*[:|]\s*|#\d+\s*[:.)]\s*|\[[^\]]{1,30}\]\s*)",
    re.IGNORECASE,
)
_PIPE_TAIL_RE = re.compile(r"\s+[|]\s+[^|]{1,60}$")
_DASH_TAIL_RE = re.compile(r"\s+[-–—]\s+([^-–—]{1,60})$")
_CLICKBAIT_TAIL_RE = re.compile(
    r"^(?:here'?s|here is|here are|and why|and how|and what|and it'?s|and i|and you|"
    r"and they|and the|why|what|how to|how it|if it|for free|but|you|everything)\b",
    re.IGNORECASE,
)
_PERSONAL_RE = re.compile(r"\b(?:I|I'm|I've|my|me|you|your|you're|we tried)\b", re.IGNORECASE)
_BAIT_RE = re.compile(
    r"\b(?:you won'?t believe|shocking|must[- ]see|this one trick|best .{0,20} deals?|"
    r"\d+ (?:ways|things|reasons|tips)|should you|worth it)\b",
    re.IGNORECASE,
)
_RELATIVE_TIME_RE = re.compile(
    r"\b(?:last night|yesterday|today|tonight|this (?:week|morning)|right now)\b", re.IGNORECASE
)
_EDITORIAL_OPENING_RE = re.compile(
    r"^(?:here['’]?s|here is|this is|why|how|what|meet|inside|the case)\b", re.IGNORECASE
)


def _strip_tails(title: str, outlets: Iterable[str]) -> str:
    names = {o.lower() for o in (*KNOWN_OUTLETS, *outlets) if o}
    for _ in range(3):
        before = title
        title = _PIPE_TAIL_RE.sub("", title)
        match = _DASH_TAIL_RE.search(title)
        if match:
            tail = match.group(1).strip().replace("’", "'")
            bait = _CLICKBAIT_TAIL_RE.match(tail) and len(tail.split()) <= 8
            if tail.lower() in names or bait:
                title = title[: match.start()]
        if title == before:
            break
    return title


def _shorten_headline(title: str, limit: int) -> str:
    """Cut at the last clause punctuation, else before the last clause-joining word
    (``as``, ``after``, ``while`` …), else before the last ``and``/``with``/``that``,
    else at a word boundary with ``…``."""
    if len(title) <= limit:
        return title
    window = title[: limit + 1]
    for pattern, min_cut in _CUTS:
        cuts = [m.start() for m in pattern.finditer(window) if min_cut <= m.start() <= limit]
        if cuts:
            return window[: cuts[-1]].rstrip(" ,;:-–—")
    window = title[: limit - 1]
    cut = window.rsplit(" ", 1)[0] if " " in window else window
    return cut.rstrip(" ,;:-–—") + "…"


def clean_title(title: str, outlets: Iterable[str] = (), *, limit: int = MAX_HEADLINE_CHARS) -> str:
    """One title made neutral (see the module docstring); ``outlets`` are names of the
    covering sources whose tails may also be stripped. Never longer than ``limit``."""
    outlets = tuple(outlets)
    text = normalize_space(title)
    for _ in range(2):
        stripped = _PREFIX_RE.sub("", text)
        for outlet in outlets:
            if outlet and stripped.lower().startswith(outlet.lower() + ":"):
                stripped = stripped[len(outlet) + 1 :].lstrip()
        if len(stripped.split()) >= 3:  # "Changelist: August 2024" keeps its label
            text = stripped
    text = _strip_tails(text, outlets)
    text = re.sub(r"\s*!+", "", text).strip(" -–—:|")
    if not text:  # the title was nothing but a label: keep it rather than nothing
        text = normalize_space(title).strip(" -–—:|")
    first = text.split(" ", 1)[0]
    if first.islower() and first[:1].isalpha():  # "unnerving AI avatars" → "Unnerving …"
        text = text[0].upper() + text[1:]
    return _shorten_headline(text, limit)


def headline_quality(headline: str) -> float:
    """A 0–1 preference among candidate headlines: statements over questions, third
    person over "I"/"you", news over explainers ("Here's why …", "How …"), no list/bait
    phrasing, no "last night"/"today" (the page shows the time), 6–18 words."""
    quality = 1.0
    if headline.rstrip().endswith("?"):
        quality -= 0.25
    if _PERSONAL_RE.search(headline):
        quality -= 0.2
    if _BAIT_RE.search(headline):
        quality -= 0.2
    if _EDITORIAL_OPENING_RE.search(headline):
        quality -= 0.15
    if _RELATIVE_TIME_RE.search(headline):
        quality -= 0.1
    words = len(headline.split())
    if words < 3:
        quality -= 0.4
    elif words < 6:
        quality -= 0.25
    elif words > 18:
        quality -= 0.1
    return max(0.0, quality)


def _cosine(words: Sequence[str], weights: Mapping[str, float]) -> float:
    if not words:
        return 0.0
    counts = Counter(words)
    dot = sum(c * weights.get(w, 0.0) for w, c in counts.items())
    norm = math.sqrt(sum(c * c for c in counts.values())) * math.sqrt(
        sum(v * v for v in weights.values()) or 1.0
    )
    return dot / norm if norm else 0.0


def choose_headline(
    candidates: Sequence[tuple[str, float]],
    centroid: Mapping[str, float],
) -> str:
    """The best of ``candidates`` — pairs of a cleaned title and a source prior (≈1, more
    for originals and higher tiers): centrality to the event's ``centroid`` (word →
    weight) times :func:`headline_quality` times the prior; the first wins ties.
    Raises ``ValueError`` for no candidates."""
    if not candidates:
        raise ValueError("choose_headline() needs at least one candidate")
    best, best_score = candidates[0][0], -1.0
    for title, prior in candidates:
        centrality = _cosine(content_words(title), centroid)
        value = (0.25 + centrality) * (0.2 + headline_quality(title)) * prior
        if value > best_score:
            best, best_score = title, value
    return best


def headline_variants(
    headline: str, names: Sequence[str], dates: Sequence[str], *, limit: int = MAX_HEADLINE_CHARS
) -> list[str]:
    """Other forms of ``headline`` that tell it apart from another event's identical
    one, best first, each at most ``limit`` characters: ``"<headline>: <name>"`` for each
    of ``names`` (names from the event's own items) not already in it, then
    ``"<headline> (<date>)"`` for each of ``dates`` (``YYYY-MM-DD`` dates from our
    records). A headline too long for the suffix is shortened first (as
    :func:`clean_title` does). Nothing is added that the caller did not pass, so the
    variants are as grounded as ``names`` and ``dates``."""
    base = headline.rstrip(" .:;,")
    suffixes = [
        f": {name}" for name in names if name and name.casefold() not in base.casefold()
    ] + [f" ({day})" for day in dates if day]
    out: list[str] = []
    for suffix in suffixes:
        room = limit - len(suffix)
        if room < 20:
            continue
        stem = _shorten_headline(base, room).rstrip(" .:;,")
        if len(stem) > room:  # _shorten_headline may end in "…" within its limit
            continue
        variant = stem + suffix
        if variant not in out:
            out.append(variant)
    return out
