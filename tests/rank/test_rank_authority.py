"""Authority order and the primary item."""

from __future__ import annotations

import itertools

import pytest

from pulseaugur.rank import choose_primary, distinct_sources, order_coverage

from coverage_factories import entry, source

LAB = source("openai-news", tier=1, primary=True, outlet="OpenAI")
TC = source("techcrunch", tier=1, outlet="TechCrunch")
ZD = source("zdnet", tier=2, outlet="ZDNET")
DIGG = source("digg", tier=3, outlet="Digg")


def test_originals_first_then_tier_then_earliest() -> None:
    entries = [
        entry("digg-1", DIGG, minutes=0),
        entry("zd-1", ZD, minutes=5),
        entry("tc-late", TC, minutes=30),
        entry("tc-early", TC, minutes=10),
        entry("lab-1", LAB, minutes=60),  # the original, even though it came last
    ]
    ordered = [e.item.id for e in order_coverage(entries)]
    assert ordered == ["lab-1", "tc-early", "tc-late", "zd-1", "digg-1"]


def test_order_does_not_depend_on_input_order() -> None:
    entries = [
        entry("a", TC, minutes=1),
        entry("b", TC, minutes=1),  # same time: the id breaks the tie
        entry("c", ZD, minutes=0),
        entry("d", LAB, minutes=9),
    ]
    orders = {tuple(e.item.id for e in order_coverage(p)) for p in itertools.permutations(entries)}
    assert orders == {("d", "a", "b", "c")}


def test_order_returns_a_new_list_and_leaves_input_alone() -> None:
    entries = [entry("zd", ZD), entry("lab", LAB)]
    before = list(entries)
    ordered = order_coverage(entries)
    assert entries == before
    assert ordered is not entries


def test_primary_is_the_original_when_there_is_one() -> None:
    entries = [entry("tc", TC, minutes=0), entry("lab", LAB, minutes=90)]
    assert choose_primary(entries).item.id == "lab"


def test_primary_without_original_is_the_earliest_best_tier_report() -> None:
    entries = [
        entry("zd", ZD, minutes=0),
        entry("tc-late", TC, minutes=20),
        entry("tc-early", TC, minutes=10),
    ]
    assert choose_primary(entries).item.id == "tc-early"


def test_primary_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        choose_primary([])


def test_distinct_sources_keeps_each_sources_best_entry() -> None:
    entries = [entry("tc-2", TC, minutes=5), entry("zd", ZD), entry("tc-1", TC, minutes=1)]
    assert [e.item.id for e in distinct_sources(entries)] == ["tc-1", "zd"]
