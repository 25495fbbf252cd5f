"""Turning a document into weighted terms (pure functions, no state beyond caches).

Tokenization keeps what identifies a news event as *strong* features:

- numbers: ``14,000`` → ``14000``, ``74.5%``, ``3.1``, ``8b``, ``4o``;
- money: ``$6.6 billion`` → ``$6.6b``, ``€200m``;
- names with digits: ``GPT-5`` → ``gpt-5`` (plus the weak prefix ``gpt``), ``o3``,
  ``Llama-3.1-8B``;
- a capitalized word followed by a short version number: ``Llama 3.1`` →
  ``llama_3.1`` (plus ``llama`` and ``3.1``), ``Claude 4.1``, ``iOS 26``.

Text in Chinese, Japanese or Korean script, written without spaces, becomes character
bigrams; Latin names and numbers written into it (``推出GPT-5模型``) are split off, so
they meet the same names in other languages. Stray HTML tags and entities are removed
first (:func:`plain_text`). Words are lowercased, possessives dropped (``Young's`` →
``young``), plain hyphenated words split into their parts, English stop words and URL
debris (``http``, ``www``, ``com``) dropped, and plurals folded by a light stemmer
(``flights`` → ``flight``).
Capitalized words that are not at the start of a sentence are *proper* features
(names), except in Title Case Headlines where capitals carry no information.

:func:`raw_terms` returns, per term, its weighted count (title occurrences count
``title_weight``, body occurrences ``body_weight``) and its kind (strong, proper or
plain); turning that into a TF-IDF vector is the clusterer's job because IDF is state.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from itertools import islice

__all__ = [
    "PLAIN",
    "PROPER",
    "STOP_WORDS",
    "STRONG",
    "headline_and_body",
    "is_year",
    "plain_text",
    "raw_terms",
    "raw_terms_titled",
    "tokens",
]

PLAIN = 0
"""Kind of an ordinary word."""
PROPER = 1
"""Kind of a capitalized word that is not sentence-initial (a name)."""
STRONG = 2
"""Kind of a number, an amount of money, or a name containing digits."""

_TOKEN_RE = re.compile(
    r"(?P<money>[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?i:billion|million|trillion|bn|mn|[bmk])\b)?)"
    r"|(?P<num>\d[\d,]*(?:\.\d+)*(?:%|[^\W\d_]+)?)"
    r"|(?P<word>[^\W\d_]\w*(?:[-.'+]\w+)*)"
)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN_RE = re.compile(f"[{_CJK}]+|[^\\W\\d_{_CJK}]+")
_SCRIPT_EDGE_RE = re.compile(f"(?<=[{_CJK}])(?=[^\\s{_CJK}])|(?<=[^\\s{_CJK}])(?=[{_CJK}])")
_DIGIT_RE = re.compile(r"\d")
_PART_SPLIT_RE = re.compile(r"[-'+]")
_TAG_RE = re.compile(r"<[^<>]{0,400}>")
_VERSION_RE = re.compile(r"\d{1,2}(?:\.\d{1,2})?[a-z]?")
_ALPHA_PREFIX_RE = re.compile(r"[^\W\d_]+")
_URL_LINE_RE = re.compile(r"\s*(?:https?\s?:\s?/\s?/|www\s?\.\s?\w)", re.IGNORECASE)
_HEADLINE_MAX = 200
_CHAR_MAP = str.maketrans({"’": "'", "‘": "'", "\u2010": "-", "\u2011": "-", "\u00a0": " "})
_SENTENCE_END = frozenset(".!?:;\"“”'|")
_SCALE = {"billion": "b", "bn": "b", "b": "b", "million": "m", "mn": "m", "m": "m"}
_SCALE.update({"trillion": "t", "k": "k"})

_STOP_TEXT = """
    a about above after again against all also am an and any are aren as at be because
    been before being below between both but by can cannot could couldn did didn do does
    doesn doing don down during each few for from further had hadn has hasn have haven
    having he her here hers herself him himself his how i if in into is isn it its itself
    just let ll me more most mustn my myself no nor not now of off on once only or other
    ought our ours ourselves out over own re same shan she should shouldn so some such
    than that the their theirs them themselves then there these they this those through
    to too under until up us ve very was wasn we were weren what when where which while
    who whom why will with won would wouldn you your yours yourself yourselves
    s t d m o y ain says said say may might must shall via per vs get gets got
    http https www com html htm php org net co amp nbsp
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
"""English function words, reporting verbs and URL debris: never features."""

_stem_cache: dict[str, str] = {}


def _stem(word: str) -> str:
    """Fold plurals: ``flights`` → ``flight``, ``companies`` → ``company``."""
    cached = _stem_cache.get(word)
    if cached is not None:
        return cached
    stem = word
    n = len(word)
    if n > 3 and word.endswith("s"):
        if word.endswith("ies") and n > 4:
            stem = word[:-3] + "y"
        elif word.endswith(("sses", "ches", "shes", "xes", "zzes")):
            stem = word[:-2]
        elif not word.endswith(("ss", "us", "is", "'s")):
            stem = word[:-1]
    if len(_stem_cache) < 200_000:
        _stem_cache[word] = stem
    return stem


def is_year(term: str) -> bool:
    """Whether a term is a year from 1900 to 2099 (``2013``)."""
    return len(term) == 4 and term[:2] in ("19", "20") and term.isdigit()


def plain_text(text: str) -> str:
    """Drop stray markup: HTML tags become spaces and entities are decoded.

    The contract says titles and bodies are plain text; feeds that slipped markup
    through would otherwise produce junk terms (``h3``, ``8217``).
    """
    if "<" in text and ">" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


def _title_case(text: str) -> bool:
    """True when most longer words are capitalized (a Title Case Headline)."""
    longer = [w for w in text.split() if len(w) > 3 and w[0].isalpha()]
    if len(longer) < 3:
        return False
    caps = sum(1 for w in longer if w[0].isupper())
    return caps >= 0.6 * len(longer)


def _sentence_initial(text: str, start: int) -> bool:
    """True when the token at ``start`` opens the text or a sentence."""
    j = start - 1
    while j >= 0 and text[j] in " \t\r\n([{":
        j -= 1
    return j < 0 or text[j] in _SENTENCE_END


def _cjk_terms(word: str) -> Iterator[tuple[str, int]]:
    """Character bigrams of CJK runs (written without spaces), other letters as words."""
    for run in _CJK_RUN_RE.findall(word):
        if not _CJK_RE.match(run):
            if len(run) > 1 and run not in STOP_WORDS:
                yield _stem(run), PLAIN
        elif len(run) == 1:
            yield run, PLAIN
        else:
            for i in range(len(run) - 1):
                yield run[i : i + 2], PLAIN


def tokens(text: str, *, caps_informative: bool = True) -> Iterator[tuple[str, int]]:
    """Yield ``(term, kind)`` for the text, in order (see the module docstring).

    ``caps_informative=False`` turns off proper-noun detection (for Title Case text).
    """
    text = text.translate(_CHAR_MAP)
    if _CJK_RE.search(text):  # 推出GPT-5模型: names written into CJK text stand alone
        text = _SCRIPT_EDGE_RE.sub(" ", text)
    prev_word: str | None = None  # a capitalized word right before the current token
    prev_end = -1
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup
        raw = m.group()
        adjacent = prev_word is not None and text[prev_end : m.start()].isspace()
        if kind == "word":
            low = raw.lower()
            if low.endswith("'s"):
                low = low[:-2]
                raw = raw[:-2]
            low = low.rstrip("'")
            prev_word = None
            plain_word = low.isalpha() or ("_" in low and not _DIGIT_RE.search(low))
            if plain_word and not low.isascii() and _CJK_RE.search(low):
                yield from _cjk_terms(low)
            elif plain_word:
                if len(low) > 1 and low not in STOP_WORDS:
                    capital = raw[0].isupper()
                    proper = caps_informative and capital and not _sentence_initial(text, m.start())
                    yield _stem(low), PROPER if proper else PLAIN
                    if capital:
                        prev_word = low
            elif _DIGIT_RE.search(low):
                yield low, STRONG
                prefix = _ALPHA_PREFIX_RE.match(low)
                if prefix is not None and len(prefix.group()) > 1:
                    p = prefix.group()
                    if p not in STOP_WORDS:
                        yield p, PLAIN
            elif "-" in low or "'" in low or "+" in low:
                proper = (
                    caps_informative and raw[0].isupper() and not _sentence_initial(text, m.start())
                )
                for part in _PART_SPLIT_RE.split(low):
                    if len(part) > 1 and part not in STOP_WORDS:
                        yield _stem(part), PROPER if proper else PLAIN
            else:  # dotted: U.S, node.js
                yield low, PLAIN
        elif kind == "num":
            num = raw.replace(",", "").lower()
            if adjacent and prev_word is not None and _VERSION_RE.fullmatch(num):
                yield f"{prev_word}_{num}", STRONG
            yield num, STRONG if len(num) > 1 else PLAIN
            prev_word = None
        else:  # money
            low = raw.lower().replace(",", "").replace(" ", "")
            amount = re.match(r"[$€£][\d.]+", low)
            scale = low[amount.end() :] if amount is not None else ""
            yield (amount.group() if amount else low) + _SCALE.get(scale, scale), STRONG
            prev_word = None
        prev_end = m.end()


def _is_url_line(line: str) -> bool:
    """Whether a line starts with a web address (``https://``, ``www.``; also spaced
    out, as tokenized corpora write them: ``http : / / www . x . com``)."""
    return _URL_LINE_RE.match(line) is not None


def headline_and_body(title: str, body: str | None) -> tuple[str, str | None]:
    """The document's headline and body once link debris is gone.

    Body lines that start with a web address are dropped (a link carries no event,
    and its host and path ids would look like rare, heavy terms). A title that is only
    a web address is no headline: the body's first remaining line (when short enough to
    be one, at most 200 characters) takes its place and leaves the body.
    """
    if body and ("http" in body or "www" in body):
        body = "\n".join(line for line in body.splitlines() if not _is_url_line(line))
    if title and not _is_url_line(title):
        return title, body
    if body:
        first, _, rest = body.strip().partition("\n")
        if len(first) <= _HEADLINE_MAX:
            return first.strip(), rest
    return "", body


def raw_terms(
    title: str,
    body: str | None,
    *,
    title_weight: float,
    body_weight: float,
    body_max_tokens: int,
) -> tuple[dict[str, float], dict[str, int]]:
    """Weighted term counts and term kinds of one document.

    Title occurrences count ``title_weight`` each, body occurrences ``body_weight``; only
    the first ``body_max_tokens`` body terms are read. A body that merely repeats the
    title (feeds often do) is not counted twice. A term's kind is the strongest kind any
    of its occurrences had. Both dicts are in first-occurrence order (deterministic).
    """
    counts, kinds, _ = raw_terms_titled(
        title,
        body,
        title_weight=title_weight,
        body_weight=body_weight,
        body_max_tokens=body_max_tokens,
    )
    return counts, kinds


def raw_terms_titled(
    title: str,
    body: str | None,
    *,
    title_weight: float,
    body_weight: float,
    body_max_tokens: int,
) -> tuple[dict[str, float], dict[str, int], int]:
    """:func:`raw_terms` plus how many of the terms occur in the title: the first that
    many keys of the counts (first-occurrence order) are the title's terms."""
    counts: dict[str, float] = {}
    kinds: dict[str, int] = {}
    title, body = headline_and_body(plain_text(title).strip(), body)
    for term, kind in tokens(title, caps_informative=not _title_case(title)):
        counts[term] = counts.get(term, 0.0) + title_weight
        if kind > kinds.get(term, -1):
            kinds[term] = kind
    in_title = len(counts)
    if body and body_max_tokens > 0 and body_weight > 0:
        body = plain_text(body[: body_max_tokens * 16]).strip()
        if body.startswith(title):
            body = body[len(title) :]
        body = body[: body_max_tokens * 12]
        for term, kind in islice(tokens(body), body_max_tokens):
            counts[term] = counts.get(term, 0.0) + body_weight
            if kind > kinds.get(term, -1):
                kinds[term] = kind
    return counts, kinds, in_title
