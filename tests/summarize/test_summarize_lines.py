"""IMPACT and RANK_REASON phrasing, and the package surface."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

import pulseaugur.summarize as summarize
from pulseaugur.rank import EVENT_TYPES, TOPICS
from pulseaugur.summarize import event_features, impact_line, rank_reason_line, record_terms
from pulseaugur.summarize.grounding import ungrounded_facts
from pulseaugur.summarize.lines import (
    AUDIENCES,
    IMPACT_TEMPLATES,
    TOPIC_PHRASES,
    TYPE_LABELS,
    UNSPECIFIC_IMPACT,
)
from pulseaugur.summarize.text import COMMON_WORDS

from coverage_factories import T0, cluster, entry, source

TC = source("techcrunch", tier=1, outlet="TechCrunch")
ZD = source("zdnet", tier=2, outlet="ZDNET")


def test_every_type_and_tag_has_phrasing() -> None:
    assert set(IMPACT_TEMPLATES) == set(EVENT_TYPES) == set(TYPE_LABELS)
    assert set(TOPICS) <= set(TOPIC_PHRASES)
    assert set(TOPICS) <= set(AUDIENCES)


def test_our_own_phrasing_never_looks_like_an_ungrounded_fact() -> None:
    openers = [re.split(r"[\s{]", t)[0] for _, t in IMPACT_TEMPLATES.values()]
    openers += [label.split()[0] for label in TYPE_LABELS.values()]
    openers.append(UNSPECIFIC_IMPACT.split()[0])
    assert all(o.lower() in COMMON_WORDS for o in openers), openers
    for text in [*TOPIC_PHRASES.values(), *AUDIENCES.values()]:  # used mid-sentence
        assert ungrounded_facts(f"x {text}.", []) == [], text
    for text in TYPE_LABELS.values():  # RANK_REASON opens with the label
        assert ungrounded_facts(f"{text} x.", []) == [], text


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_lines_for_every_type_are_grounded(kind: str) -> None:
    entries = [
        entry("a", TC, title="Acme and Initech news", body="Acme met Initech in Berlin today."),
        entry("b", ZD, title="More on Acme", body="Analysts said Acme moved fast.", minutes=5),
    ]
    features = event_features(cluster(), entries, T0 + timedelta(hours=1))
    features = replace(features, event_type=kind)
    allowed = record_terms(features)
    texts = [e.item.title + " " + e.item.body for e in entries]
    for line in (impact_line(features), rank_reason_line(features)):
        assert ungrounded_facts(line, texts, allowed) == [], line
    assert "2 sources" in rank_reason_line(features)
    assert "1 tier-1 source" in rank_reason_line(features)


def test_all_is_complete_and_importable() -> None:
    assert len(set(summarize.__all__)) == len(summarize.__all__)
    for name in summarize.__all__:
        assert hasattr(summarize, name), name
