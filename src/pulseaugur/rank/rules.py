"""Transparent keyword rules: the machinery behind event types and topic tags.

A :class:`Rule` names a label and two lists of regular expressions, *strong* and *weak*.
:func:`rule_scores` scores every rule over an event's coverage:

* each distinct strong pattern found counts 2 points, each distinct weak pattern 1
  (matches are found left to right without overlap, so "funding round" counts as the
  strong ``funding rounds?`` only, not also as the weak ``funding``);
* a match in an item's title counts 3 times (a title says what the item is about);
* patterns with ``title_only`` rules are looked up in titles only;
* the points of all items of the event are added up.

Patterns are matched case-insensitively against the item's English title
(``title_en``, else ``title``) and its plain-text body (else its excerpt), and are
wrapped in word boundaries, so ``ban`` does not match ``urban``. Rules are data: callers
may pass their own rule tables, and the tables in :mod:`.event_type` and :mod:`.topics`
are the documentation of what the defaults do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pulseaugur.types import CoverageEntry

MONEY = (
    r"(?:[$€£] ?[\d.,]*\d(?: ?(?:million|billion|trillion|[kmb]n?))?"
    r"|[\d.,]*\d ?(?:million|billion|trillion|[mb]n))"
)
"""A sum of money: ``$4.5 billion``, ``€40M``, ``30 million``."""

RAISES_MONEY = rf"rais(?:es|ed|ing) (?:an? |its |another |about |over )?{MONEY}"
"""``raises $40 million`` and the like (not ``raises concerns``)."""

POLICY_WORD = r"polic(?:y|ies)(?! gradients?| optimi[sz]ation| networks?| learning| model)"
"""``policy`` the governance word, not the reinforcement-learning term."""

STRONG_POINTS = 2.0
WEAK_POINTS = 1.0
TITLE_FACTOR = 3.0


def _compile(strong: Iterable[str], weak: Iterable[str]) -> re.Pattern[str]:
    """One alternation of every pattern, each in a named group (``s0``…, ``w0``…)."""
    parts = [f"(?P<s{i}>{p})" for i, p in enumerate(strong)]
    parts += [f"(?P<w{i}>{p})" for i, p in enumerate(weak)]
    if not parts:
        return re.compile(r"(?!x)x")  # matches nothing
    return re.compile(rf"(?<![\w-])(?:{'|'.join(parts)})(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Rule:
    """One label and the patterns that vote for it (see the module docstring)."""

    label: str
    strong: tuple[str, ...]
    weak: tuple[str, ...] = ()
    title_only: bool = False
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.strong, self.weak))

    def points(self, text: str) -> float:
        """Points for one text: 2 per distinct strong pattern found, 1 per weak one."""
        if not text:
            return 0.0
        found = {m.lastgroup for m in self._regex.finditer(text)}
        strong = sum(1 for g in found if g and g[0] == "s")
        return STRONG_POINTS * strong + WEAK_POINTS * (len(found) - strong)


def entry_title(entry: CoverageEntry) -> str:
    """The English title of an entry's item (``title_en``, else ``title``)."""
    return entry.item.title_en or entry.item.title


def entry_body(entry: CoverageEntry) -> str:
    """The plain-text body of an entry's item (``body``, else ``excerpt``)."""
    return entry.item.body or entry.item.excerpt


def rule_scores(entries: Sequence[CoverageEntry], rules: Sequence[Rule]) -> dict[str, float]:
    """The points of every rule's label over all entries (labels with 0 points included)."""
    scores = {rule.label: 0.0 for rule in rules}
    for entry in entries:
        title = entry_title(entry)
        body = entry_body(entry)
        for rule in rules:
            points = TITLE_FACTOR * rule.points(title)
            if not rule.title_only:
                points += rule.points(body)
            scores[rule.label] += points
    return scores
