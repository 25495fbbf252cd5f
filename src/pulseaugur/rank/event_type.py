"""What kind of event a cluster is: keyword rules over its items' titles and bodies.

The event types, and what votes for each (the strong patterns; :data:`EVENT_RULES`
holds them all, weak ones included):

========  =====================================================================
type      strong evidence
========  =====================================================================
legal     lawsuit, sues/sued, court, judge, copyright, settlement, antitrust,
          class action, ruling, verdict, litigation, FTC, DOJ, fined, a $… fine
funding   raises $…/… million, funding round, Series A–H, seed round, valuation,
          valued at, IPO, venture capital
deal      acquires, acquisition, merger, partnership, partners with, strikes a deal,
          licensing deal, to buy, teams up with
incident  outage, breach, data leak, vulnerability, exploit, hacked, jailbreak, malware,
          prompt injection, deepfake scam, recall
people    hires, appoints, joins as, steps down, resigns, departs, poached,
          names … CEO, layoffs, leaves for, recruits
policy    regulation, regulator, legislation, lawmakers, executive order, AI Act,
          Senate, Congress, Parliament, White House, European Commission, ban
launch    launches, releases, unveils, introduces, debuts, rolls out, now available,
          generally available, ships, open-sources, available today, Show HN,
          release notes, changelog, a version number (1.12.163)
paper     paper, arXiv, preprint, we present/propose, peer-reviewed, study finds,
          researchers found, benchmark
opinion   a title starting "Opinion", op-ed, essay, "I think",
          "the case for/against", a source section named Opinion
analysis  (titles only) analysis, explainer, what we know, deep dive, inside,
          here's how/why/what, why …, how …, guide, lessons, predictions,
          hands-on reviews ("I tried …"), "should you", comparisons ("X vs. Y")
other     nothing above scored at least :data:`MIN_POINTS`
========  =====================================================================

Scoring follows :mod:`.rules`: strong 2 points, weak 1, a title match counts 3 times,
summed over the event's items. Opinion also gets :data:`SECTION_POINTS` for each item
whose source section is an opinion section, and paper for each item from an arXiv
source. The type with the most points wins; ties go to the type listed first above
(:data:`EVENT_TYPES` order), because the specific types (a lawsuit, a funding round)
are more informative than the general ones (a launch, an analysis).
"""

from __future__ import annotations

from collections.abc import Sequence

from pulseaugur.rank.rules import MONEY, POLICY_WORD, RAISES_MONEY, Rule, rule_scores
from pulseaugur.types import CoverageEntry

EVENT_TYPES: tuple[str, ...] = (
    "legal",
    "funding",
    "deal",
    "incident",
    "people",
    "policy",
    "launch",
    "paper",
    "opinion",
    "analysis",
    "other",
)
"""Every event type, in tie-break order; ``other`` is the fallback."""

MIN_POINTS = 4.0
"""Below this many points no rule is convincing and the type is ``other``."""

SECTION_POINTS = 6.0

EVENT_RULES: tuple[Rule, ...] = (
    Rule(
        "legal",
        strong=(
            r"lawsuits?",
            r"su(?:es|ed|ing)",
            r"courts?",
            r"judges?",
            r"copyright(?: infringement)?",
            r"settlements?",
            r"antitrust",
            r"class[- ]action",
            r"rulings?",
            r"verdicts?",
            r"litigation",
            r"FTC",
            r"DOJ",
            r"Department of Justice",
            r"fined",
            rf"{MONEY} fines?",
        ),
        weak=(r"legal", r"lawyers?", r"complaint", r"alleg(?:es|ed|ations?)", r"subpoena"),
    ),
    Rule(
        "funding",
        strong=(
            RAISES_MONEY,
            r"rais(?:es|ed|ing) (?:an? |its )?(?:seed|series)",
            r"funding rounds?",
            r"series [a-h]",
            r"seed rounds?",
            r"valuation",
            r"valued at",
            r"IPO",
            r"venture capital",
        ),
        weak=(r"funding", r"investors?", r"invest(?:s|ed|ments?)", r"backed", r"capital"),
    ),
    Rule(
        "deal",
        strong=(
            r"acquir(?:es|ed|ing)",
            r"acquisitions?",
            r"mergers?",
            r"partnerships?",
            r"partner(?:s|ed)? with",
            r"(?:strikes?|signs?|inks?) (?:an? )?(?:\w+ )?deal",
            r"licensing (?:deal|agreement)",
            r"to buy",
            r"teams? up with",
        ),
        weak=(r"deals?", r"agreements?", r"contracts?", r"collaborat(?:es?|ion)"),
    ),
    Rule(
        "incident",
        strong=(
            r"outages?",
            r"(?:data )?breach(?:es)?",
            r"data leaks?",
            r"vulnerabilit(?:y|ies)",
            r"exploit(?:s|ed)?",
            r"hack(?:s|ed)",
            r"jailbreak(?:s|ing)?",
            r"malware",
            r"ransomware",
            r"prompt injection",
            r"deepfake scams?",
            r"recall(?:s|ed)",
        ),
        weak=(
            r"apologi[sz]es",
            r"leak(?:s|ed)?",
            r"glitch(?:es)?",
            r"bugs?",
            r"misuse",
            r"failures?",
            r"security flaws?",
        ),
    ),
    Rule(
        "people",
        strong=(
            r"hir(?:es|ed)",
            r"appoint(?:s|ed|ment)",
            r"joins as",
            r"steps? down",
            r"resign(?:s|ed|ation)",
            r"depart(?:s|ure)",
            r"poach(?:es|ed)",
            r"names? (?:\w+ ){1,3}(?:as )?(?:CEO|CTO|CFO|chief|president|head)",
            r"new (?:CEO|CTO|CFO|chief executive)",
            r"lay(?:s)? off",
            r"layoffs",
            r"leav(?:es|ing) (?:for|to join)",
            r"recruit(?:s|ed|ing)",
        ),
        weak=(r"CEO", r"executives?", r"co-?founders?", r"talent", r"joins"),
    ),
    Rule(
        "policy",
        strong=(
            r"regulations?",
            r"regulators?",
            r"regulatory",
            r"legislation",
            r"lawmakers",
            r"executive order",
            r"AI Act",
            r"Senate",
            r"Congress",
            r"Parliament",
            r"White House",
            r"European Commission",
            r"bans?",
            r"banned",
        ),
        weak=(
            r"government",
            r"federal",
            r"bills?",
            POLICY_WORD,
            r"governance",
            r"compliance",
        ),
    ),
    Rule(
        "launch",
        strong=(
            r"launch(?:es|ed|ing)?",
            r"releas(?:es|ed|ing)",
            r"unveil(?:s|ed|ing)?",
            r"introduc(?:es|ed|ing)",
            r"debut(?:s|ed)?",
            r"roll(?:s|ed|ing)? out",
            r"now available",
            r"generally available",
            r"ships",
            r"open[- ]sourc(?:es|ed)",
            r"available today",
            r"show hn",
            r"launch hn",
            r"release notes",
            r"changelog",
            r"v?\d+\.\d+\.\d+",
        ),
        weak=(
            r"announc(?:es|ed|ing|ements?)",
            r"new (?:model|features?|tools?|version)",
            r"adds",
            r"expands?",
            r"overhaul(?:s|ed)?",
            r"now lets?",
            r"beta",
            r"preview",
            r"upgrades?",
        ),
    ),
    Rule(
        "paper",
        strong=(
            r"papers?",
            r"arxiv",
            r"preprints?",
            r"we (?:present|propose|introduce|study|show)",
            r"peer[- ]reviewed",
            r"study finds",
            r"researchers (?:found|show|have found)",
            r"benchmarks?",
        ),
        weak=(
            r"(?:a|the|new|recent) study",
            r"research(?:ers)?",
            r"datasets?",
            r"findings",
            r"experiments?",
        ),
    ),
    Rule(
        "opinion",
        strong=(
            r"op-ed",
            r"essay",
            r"I think",
            r"I believe",
            r"in my view",
            r"the case (?:for|against)",
        ),
        weak=(r"opinion", r"commentary", r"argues?", r"we need to", r"should we"),
    ),
    Rule(
        "analysis",
        strong=(
            r"analysis",
            r"explainer",
            r"explained",
            r"what we know",
            r"what to know",
            r"deep dive",
            r"inside",
            r"here's (?:how|why|what)",
            r"why",
            r"how",
            r"guide",
            r"lessons",
            r"predictions",
            r"the state of",
            r"I (?:tried|tested|used|gave|asked)",
            r"I've (?:tried|tested|used)",
            r"should you",
            r"vs\.?",
        ),
        weak=(r"reports?", r"trends?", r"surveys?", r"forecasts?"),
        title_only=True,
    ),
)
"""The default rules, in the order of :data:`EVENT_TYPES` (``other`` has none)."""


def event_type_scores(
    entries: Sequence[CoverageEntry], rules: Sequence[Rule] = EVENT_RULES
) -> dict[str, float]:
    """The points of every event type for these entries (see the module docstring)."""
    scores = rule_scores(entries, rules)
    for entry in entries:
        title = (entry.item.title_en or entry.item.title).lstrip()
        section = (entry.source.section or "").lower()
        if "opinion" in section or title.lower().startswith("opinion"):
            scores["opinion"] = scores.get("opinion", 0.0) + SECTION_POINTS
        if "arxiv" in entry.source.id.lower() or "arxiv" in entry.source.name.lower():
            scores["paper"] = scores.get("paper", 0.0) + SECTION_POINTS
    return scores


def classify_event_type(
    entries: Sequence[CoverageEntry], rules: Sequence[Rule] = EVENT_RULES
) -> str:
    """One of :data:`EVENT_TYPES` for the event these entries report.

    The type with the most points wins, ties going to the earlier type in
    :data:`EVENT_TYPES`; ``other`` when no type reaches :data:`MIN_POINTS` (or there are no
    entries). Custom ``rules`` may use other labels; their order then breaks ties.
    """
    scores = event_type_scores(entries, rules)
    order = {label: i for i, label in enumerate(EVENT_TYPES)}
    for i, rule in enumerate(rules):
        order.setdefault(rule.label, len(EVENT_TYPES) + i)
    best = min(scores, key=lambda label: (-scores[label], order.get(label, len(order))))
    return best if scores[best] >= MIN_POINTS else "other"
