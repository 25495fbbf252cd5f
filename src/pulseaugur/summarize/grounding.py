"""The grounding check: facts in a text that no source contains.

"Every summary sentence traces to the coverage items it came from, and a check refuses
numbers, names and quotes that no source contains." :func:`ungrounded_facts` is that
check. It looks at three kinds of fact in ``text``:

numbers
    every run of digits (``4.5``, ``1,247``, ``2026``; thousands separators ignored)
    that does not sit inside a word. A number passes when the same number occurs in a
    source. Spelled-out numbers ("four") are not checked.
names
    runs of capitalized tokens (``OpenAI``, ``Greater Bay Area``, ``GPT-4o``, ``xAI``).
    A run passes when it occurs in a source as a whole, or when each of its tokens does
    (so ``Hong Kong Greater Bay Area`` passes when both names do). A common word
    capitalized only because it opens a sentence ("Research from …") is not a name, and
    ``AI`` and ``I`` are never facts. Matching ignores case.
quotations
    text inside double quotes (straight or curly). A quotation passes when it occurs
    verbatim in a source, ignoring case, whitespace and quote style; a "quotation" that
    spans sentences (an unclosed quote mark meeting a later one) passes when each of its
    sentences does.

``sources_text`` are the texts the summary may draw on (the items' titles and bodies);
``allowed`` are facts from our own records that a sentence may state without a source
saying them (outlet names, counts of sources, tier labels). Both are matched the same
way. Texts are compared after Unicode NFKC normalization, with curly quotes and
apostrophes made straight, dashes made ``-`` and ``™``/``®``/``©`` dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pulseaugur.summarize.text import COMMON_WORDS, GENERIC_CAPS, capitalized_spans

_QUOTE_TABLE = str.maketrans(
    {
        "™": " ",
        "®": " ",
        "©": " ",
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "–": "-",
        "—": "-",
    }
)
_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
_QUOTATION_RE = re.compile(r'"([^"\n]{2,400})"')


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text.translate(_QUOTE_TABLE)).translate(_QUOTE_TABLE)
    return re.sub(r"\s+", " ", text)


def _number_key(number: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        number = number.replace(",", "")
    return number


class _Corpus:
    """The sources and allowed facts, normalized once, with a cached lookup."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.text = " \n ".join(_normalize(t) for t in texts if t)
        self.lower = self.text.lower()
        self.numbers = {_number_key(n) for n in _NUMBER_RE.findall(self.text)}
        self._seen: dict[str, bool] = {}

    def has(self, needle: str) -> bool:
        """True when ``needle`` occurs, ignoring case, not inside a longer word."""
        key = needle.lower()
        if key not in self._seen:
            pattern = r"(?<!\w)" + re.escape(key) + r"(?!\w)"
            self._seen[key] = re.search(pattern, self.lower) is not None
        return self._seen[key]


def _number_facts(text: str, corpus: _Corpus) -> list[str]:
    return [n for n in _NUMBER_RE.findall(text) if _number_key(n) not in corpus.numbers]


def _name_facts(text: str, corpus: _Corpus) -> list[str]:
    out: list[str] = []
    for span in capitalized_spans(text):
        tokens = list(span.tokens)
        if span.sentence_initial and tokens[0].lower() in COMMON_WORDS:
            tokens = tokens[1:]
        tokens = [t for t in tokens if t not in GENERIC_CAPS]
        if not tokens:
            continue
        name = " ".join(tokens)
        if corpus.has(name):
            continue
        if any(not corpus.has(t) for t in tokens):
            out.append(name)
    return out


def _quote_facts(text: str, corpus: _Corpus) -> list[str]:
    out: list[str] = []
    for match in _QUOTATION_RE.finditer(text):
        pieces = [p.strip(" ,.;:!?'") for p in re.split(r"(?<=[.!?…])\s+", match.group(1))]
        if any(p and p.lower() not in corpus.lower for p in pieces):
            out.append(f'"{match.group(1)}"')
    return out


def ungrounded_facts(
    text: str, sources_text: Sequence[str], allowed: Sequence[str] = ()
) -> list[str]:
    """The numbers, names and quotations in ``text`` that occur in none of
    ``sources_text`` nor ``allowed`` (see the module docstring), each once, in the order
    they appear (numbers, then names, then quotations). Empty means grounded."""
    corpus = _Corpus([*sources_text, *allowed])
    normalized = _normalize(text)
    facts = [
        *_number_facts(normalized, corpus),
        *_name_facts(normalized, corpus),
        *_quote_facts(normalized, corpus),
    ]
    return list(dict.fromkeys(facts))
