"""Text helpers shared by the summarizers and the grounding check (pure, no I/O).

* :func:`clean_text` removes feed boilerplate ("The post X appeared first on Y",
  "Continue reading", "[…]", newsletter sign-offs) and collapses whitespace.
* :func:`split_sentences` splits plain text into sentences; a sentence the feed cut off
  ("…", "[…]" with no end punctuation before it) is flagged ``truncated``.
* :func:`usable_sentence` says whether a sentence may go into a summary.
* :func:`content_words` gives the lower-cased content words used for similarity.
* :func:`capitalized_spans` finds runs of capitalized tokens: the named-entity-like
  spans the grounding check and entity extraction look at.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_SENTENCE_CHARS = 300
"""No summary sentence is longer; longer ones are cut at a clause boundary (``…``)."""

MIN_SENTENCE_CHARS = 25
MIN_SENTENCE_WORDS = 4

STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own same she should so some such
    than that the their theirs them themselves then there these they this those through
    to too under until up very was we were what when where which while who whom why will
    with would you your yours yourself yourselves new says said one two may might must
    like get gets got make makes made use uses used using via per amp s t don isn it's
    that's i'm we're they're you're he's she's there's here's what's let's"""
)
"""Words that carry no topic; left out of similarity and keyword matching."""

COMMON_WORDS = STOPWORDS | _wordset(
    """research release funding business policy legal incident personnel opinion analysis
    general news background product model launch deal people report today yesterday
    meanwhile however still even yet already another every many much several first last
    next earlier later according while although though because since after before unlike
    like instead perhaps researchers companies company developers users experts critics
    officials analysts investors article piece post story update updates ranked covered
    coverage reported shows shown relevant most matters none nothing something more
    three four five six seven eight nine ten dozens hundreds thousands straight led lifted
    held news covered from in on of at by with for to across over after as among"""
)
"""Common English words: a capitalized one opening a sentence is not a name."""

GENERIC_CAPS = frozenset({"AI", "I", "OK"})
"""Capitalized tokens that are never facts of their own."""

_BOILERPLATE_SPANS = (
    r"the post\s.{1,300}?\sappeared first on\s[^.\n]{1,120}\.?",
    r"\bcontinue reading\b.*$",
    r"\bread (?:the )?(?:full|more|rest)\b[^.\n]{0,80}(?:\.|$)",
    r"\bkeep reading\b.*$",
    r"\bclick here\b[^.\n]*\.?",
    r"\b(?:sign up|subscribe)\b[^.\n]{0,80}\bnewsletter\b[^.\n]*\.?",
    r"\bthis is today['’]s edition of\b[^.\n]*\.?",
    r"\bour (?:weekday|daily|weekly) newsletter\b[^.\n]*\.?",
    r"\ball rights reserved\b\.?",
    r"\b(?:article|comments) url:\s*\S*",
    r"\bpoints:\s*\d+",
    r"#\s*comments:?\s*\d*",
)
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_BOILERPLATE_RE = re.compile("|".join(_BOILERPLATE_SPANS), re.IGNORECASE | re.DOTALL)

_DROP_SENTENCE_RE = re.compile(
    r"^(?:mp4|gif|an? (?:image|photo|picture|screenshot|illustration|gif|video|animation)"
    r"|image|photo|screenshot|illustration|video)\b.{0,60}\b(?:showing|of|with|shows|in which)\b"
    r"|\b(?:getty images|image credits?|photo credits?|photo by|image by|courtesy of)\b"
    r"|\b(?:listen to|watch) (?:the |this )?(?:full )?(?:episode|podcast|video)\b"
    r"|\bsponsored\b|\bappeared first on\b|\bnewsletter\b|\bsubscribe\b"
    r"|\b(?:originally (?:appeared|published) (?:in|on|at))\b|\bsign up (?:here|now|today)\b"
    r"|\bin your inbox\b",
    re.IGNORECASE,
)

_ELLIPSIS_TAIL_RE = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.)\s*$")
_ELLIPSIS_ANY_RE = re.compile(r"\s*\[\s*(?:…|\.\.\.)\s*\]")

_ABBREVIATIONS = _wordset(
    """mr mrs ms dr prof sr jr st inc ltd co corp vs etc e.g i.e u.s u.k u.n no fig al
    approx dept est gen gov sen rep jan feb mar apr jun jul aug sep sept oct nov dec mt
    ft vol pp ca cf"""
)

_BOUNDARY_RE = re.compile(r"([.!?…]+[\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD_RE = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_TOKEN_RE = re.compile(r"[^\W_](?:[\w'’&.+·\-/]*[\w+])?")
_SENTENCE_OPENERS = ".!?…:;\n"
_NUMBERISH_RE = re.compile(r"\d+(?:\.\d+)*[a-z]?")


def normalize_space(text: str) -> str:
    """NFC-normalized text with all runs of whitespace (incl. no-break spaces) as one
    space, stripped. (NFC, not NFKC: ``™`` stays ``™``.)"""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def clean_text(text: str) -> str:
    """Plain text without feed boilerplate, paragraphs kept as blank-line breaks.

    Single line breaks are joined (feeds hard-wrap sentences); blank lines stay, so
    :func:`split_sentences` never joins two paragraphs into one sentence.
    """
    text = unicodedata.normalize("NFC", text or "")
    paragraphs = re.split(r"\n\s*\n", text)
    out = []
    for paragraph in paragraphs:
        para = re.sub(r"\s+", " ", paragraph).strip()
        para = _BOILERPLATE_RE.sub(" ", _URL_RE.sub(" ", para))
        para = re.sub(r"\s+", " ", para).strip()
        if para:
            out.append(para)
    return "\n\n".join(out)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an item's text: its words, its position and whether the feed cut it."""

    text: str
    position: int
    truncated: bool = False


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(" ", 1)[-1].lstrip("\"'“‘([").lower().rstrip(".")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha()  # an initial: "J. R. R. Tolkien"


def _split_paragraph(paragraph: str) -> Iterator[str]:
    start = 0
    for match in _BOUNDARY_RE.finditer(paragraph):
        end = match.end(1)
        if match.group(1) == "." and _is_abbreviation(paragraph[start : match.start(1)]):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            yield piece
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        yield tail


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` after :func:`clean_text`, in order.

    A trailing "…", "..." or "[…]" marks the text as cut off by the feed: the sentence
    before it is flagged ``truncated`` unless it already ended with ``.``, ``!`` or ``?``.
    An inline "[…]" is removed.
    """
    sentences: list[Sentence] = []
    for paragraph in clean_text(text).split("\n\n"):
        cut = bool(_ELLIPSIS_TAIL_RE.search(paragraph))
        paragraph = _ELLIPSIS_ANY_RE.sub("", _ELLIPSIS_TAIL_RE.sub("", paragraph)).strip()
        pieces = list(_split_paragraph(paragraph))
        for i, piece in enumerate(pieces):
            truncated = cut and i == len(pieces) - 1 and piece[-1:] not in ".!?\"'”’)"
            sentences.append(Sentence(piece, len(sentences), truncated))
    return sentences


def shorten(text: str, limit: int, *, min_keep: int = 40) -> str | None:
    """``text`` cut to at most ``limit`` characters at a clause boundary (comma,
    semicolon, colon, dash, parenthesis) with ``…`` appended; ``text`` itself when short
    enough; None when no boundary at or after ``min_keep`` characters allows a cut."""
    if len(text) <= limit:
        return text
    window = text[: limit - 1]
    cuts = [m.start() for m in re.finditer(r"[,;:]\s|\s[-–—]\s|\s\(", window)]
    cuts = [c for c in cuts if c >= min_keep]
    if not cuts:
        return None
    return window[: cuts[-1]].rstrip(" ,;:-–—") + "…"


def words_of(text: str) -> list[str]:
    """Every lower-cased word of ``text`` (letters and digits, with apostrophes kept)."""
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def stem(word: str) -> str:
    """A light stem: possessive and plural ``s`` removed (``models`` → ``model``)."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """The stemmed content words of ``text`` (stopwords and 1-letter words left out)."""
    return [stem(w) for w in words_of(text) if w not in STOPWORDS and len(w) > 1]


def usable_sentence(sentence: Sentence) -> bool:
    """True when the sentence may go into a summary: long enough (25 chars, 4 words),
    not truncated by the feed, not boilerplate (image captions, credits, sign-ups), no
    hashtag lists, and not starting mid-sentence (a lower-case first word)."""
    text = sentence.text
    if sentence.truncated or len(text) < MIN_SENTENCE_CHARS:
        return False
    if len(re.findall(r"[^\W\d_]{2,}", text)) < MIN_SENTENCE_WORDS:
        return False
    if _DROP_SENTENCE_RE.search(text) or text.count("#") >= 2:
        return False
    if not re.search(r"[a-z]", text):
        return False
    first = text.lstrip("\"'“‘([")[:1]
    first_word = text.lstrip("\"'“‘([").split(" ", 1)[0]
    return not (first.islower() and first_word == first_word.lower())


def finish_sentence(text: str) -> str:
    """``text`` ending in sentence punctuation (a ``.`` is added when it had none)."""
    text = text.rstrip()
    if text and text[-1] not in ".!?…\"'”’":
        return text + "."
    return text


@dataclass(frozen=True, slots=True)
class Span:
    """A run of capitalized tokens in a text, and whether it opens a sentence."""

    text: str
    start: int
    sentence_initial: bool
    tokens: tuple[str, ...]


def _clean_token(token: str) -> str:
    if token.endswith(".") and "." in token[:-1] and len(token) <= 6:  # U.S., J.D.
        return token
    token = token.rstrip(".-/'’&")
    for suffix in ("'s", "’s"):
        if token.endswith(suffix):
            token = token[: -len(suffix)]
    return token


def is_capitalized(token: str) -> bool:
    """True for name-like tokens: any upper-case letter (``OpenAI``, ``xAI``, ``GPT-4o``)."""
    return any(c.isupper() for c in token)


def capitalized_spans(text: str) -> list[Span]:
    """Runs of capitalized tokens separated only by single spaces, in order.

    ``"OpenAI and Microsoft's Azure team"`` gives ``OpenAI`` and ``Microsoft``/``Azure``
    as separate runs (``and`` and the possessive break them). A number continues a run
    (``Grok 3``) but never starts one. Possessive ``'s`` and trailing punctuation are
    dropped from tokens.
    """
    spans: list[Span] = []
    run: list[tuple[str, int]] = []
    run_initial = False
    prev_end = -1
    broke = True

    def flush() -> None:
        if run:
            start = run[0][1]
            spans.append(
                Span(" ".join(t for t, _ in run), start, run_initial, tuple(t for t, _ in run))
            )
            run.clear()

    for match in _TOKEN_RE.finditer(text):
        raw = match.group(0)
        token = _clean_token(raw)
        gap = text[prev_end : match.start()] if prev_end >= 0 else ""
        contiguous = prev_end >= 0 and gap == " " and not broke
        before = text[max(0, match.start() - 12) : match.start()].rstrip(" \"'“‘([")
        if not before and match.start() > 12:  # a long run of spaces or quotes
            before = text[: match.start()].rstrip(" \"'“‘([")
        initial = not before or before[-1] in _SENTENCE_OPENERS or before.endswith(" -")
        if token and is_capitalized(token) and not token.isdigit():
            if not run or not contiguous:
                flush()
                run_initial = initial
            run.append((token, match.start()))
        elif run and contiguous and _NUMBERISH_RE.fullmatch(token):  # Grok 3, Gemini 2.5 Pro
            run.append((token, match.start()))
        else:
            flush()
        prev_end = match.end()
        # a token that had punctuation or a possessive stripped ends its run
        broke = token != raw
    flush()
    return spans
