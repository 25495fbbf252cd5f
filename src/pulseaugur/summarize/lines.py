"""The IMPACT and RANK_REASON lines, written from an event's features.

Both lines are composed from fixed phrases and the event's own features — never from
model output — so they state only what our records and the sources hold:

* :func:`impact_line` — why the event matters and for whom: a sentence for the event
  type (:data:`IMPACT_TEMPLATES`) filled with the topic of the first tag that adds to
  the type (:data:`TOPIC_PHRASES`; "research on AI research" is avoided through
  :data:`REDUNDANT_TAGS`), the audience (:data:`TYPE_AUDIENCES` for types whose audience
  is fixed, else the topic's :data:`AUDIENCES`) and up to two names involved (names
  that occur in the items' own text).
* :func:`rank_reason_line` — why it got its type and rank: the type's label
  (:data:`TYPE_LABELS`), how many sources cover it and of which tier, which outlets
  (from our source records), whether the original publisher is among them, and which
  score parts lift or hold back its score (a part at :data:`HIGH_PART` or more lifts,
  one at :data:`LOW_PART` or less holds back).

:func:`record_terms` lists the facts from our own records these lines may state
(outlet names, counts, tier labels): the grounding check's ``allowed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pulseaugur.summarize.features import EventFeatures, outlet_names

TOPIC_PHRASES: Mapping[str, str] = {
    "models": "AI models",
    "research": "AI research",
    "products": "AI products",
    "agents": "AI agents",
    "coding": "AI coding tools",
    "funding": "AI funding",
    "deals": "AI business deals",
    "people": "AI leadership",
    "policy & regulation": "AI policy and regulation",
    "legal": "AI and the law",
    "safety": "AI safety",
    "security": "AI security",
    "compute & energy": "AI compute and energy",
    "open source": "open-source AI",
    "robotics": "robotics",
    "health & science": "AI in health and science",
    "society": "AI's effect on work and society",
    "media & creative": "AI media tools",
    "business": "enterprise AI",
    "opinion": "the debate over AI",
}
"""How a tag reads inside a sentence."""

AUDIENCES: Mapping[str, str] = {
    "models": "teams choosing which AI models to build on",
    "research": "researchers and practitioners",
    "products": "people who use or sell AI products",
    "agents": "teams building or deploying AI agents",
    "coding": "software developers",
    "funding": "investors, founders and competitors",
    "deals": "partners, customers and rivals of the companies involved",
    "people": "anyone tracking the organizations' direction",
    "policy & regulation": "companies and public bodies subject to AI rules",
    "legal": "AI companies and rights holders with similar legal questions",
    "safety": "teams responsible for AI risk and safety",
    "security": "security teams and operators of affected systems",
    "compute & energy": "infrastructure planners, chip buyers and energy providers",
    "open source": "developers who self-host or fine-tune open models",
    "robotics": "robotics and automation teams",
    "health & science": "scientists and healthcare organizations",
    "society": "workers, educators and policymakers",
    "media & creative": "creators and media companies",
    "business": "enterprise buyers and investors",
    "opinion": "readers following the debate",
}
"""Who a topic matters to."""

GENERAL_AUDIENCE = "people following AI"

IMPACT_TEMPLATES: Mapping[str, tuple[str, str]] = {
    "launch": ("in", "A new release{topic}{who} that {audience} may want to evaluate."),
    "paper": ("on", "Research{topic}{who}; most relevant to {audience}."),
    "funding": (
        "in",
        "Shows where investors are putting money{topic}{who}; relevant to {audience}.",
    ),
    "deal": (
        "in",
        "A deal{who}{topic} that could shift partnerships and competition; relevant to {audience}.",
    ),
    "policy": ("on", "A policy move{topic}{who} that could change the rules for {audience}."),
    "legal": (
        "over",
        "A legal dispute{who}{topic} whose outcome could set precedent for {audience}.",
    ),
    "incident": (
        "in",
        "An incident{topic}{who}; {audience} should check whether they are affected.",
    ),
    "people": (
        "in",
        "A leadership or staffing change{who}{topic} that may signal a shift in direction; "
        "relevant to {audience}.",
    ),
    "opinion": (
        "about",
        "An argument{topic}{who}: context for {audience} rather than news of a new development.",
    ),
    "analysis": (
        "of",
        "Analysis{topic}{who} that gives {audience} background, not breaking news.",
    ),
    "other": ("on", "News{topic}{who}, relevant to {audience}."),
}
"""The IMPACT sentence by event type: the preposition before the topic, and the
template. ``{topic}`` is e.g. ``" in AI agents"`` (empty when no tag adds to what the
type says); ``{who}`` is ``" involving X and Y"`` or empty."""

REDUNDANT_TAGS: Mapping[str, frozenset[str]] = {
    "paper": frozenset({"research"}),
    "funding": frozenset({"funding", "business", "deals"}),
    "deal": frozenset({"deals", "business"}),
    "people": frozenset({"people"}),
    "legal": frozenset({"legal"}),
    "policy": frozenset({"policy & regulation"}),
    "opinion": frozenset({"opinion"}),
}
"""Tags that only repeat the event type: never used as its topic."""

TYPE_AUDIENCES: Mapping[str, str] = {
    "funding": "investors, founders and competitors",
    "deal": "partners, customers and rivals of the companies involved",
    "policy": "companies and public bodies subject to AI rules",
    "legal": "AI companies and rights holders with similar legal questions",
    "people": "anyone tracking the organizations' direction",
    "opinion": "readers following the debate",
}
"""Event types whose audience does not depend on the topic."""

DEFAULT_AUDIENCES: Mapping[str, str] = {
    "paper": "researchers and practitioners",
    "incident": "users and operators of affected systems",
}
"""The audience when no tag gives one (else :data:`GENERAL_AUDIENCE`)."""

UNSPECIFIC_IMPACT = (
    "No clear topic, type or party stands out in the coverage; of general interest to "
    "people following AI."
)
"""IMPACT when the event has no type, tag or name to speak of: said plainly."""

TYPE_LABELS: Mapping[str, str] = {
    "launch": "Product or model release",
    "paper": "Research paper",
    "funding": "Funding news",
    "deal": "Business deal",
    "policy": "Policy news",
    "legal": "Legal news",
    "incident": "Incident report",
    "people": "Personnel news",
    "opinion": "Opinion piece",
    "analysis": "Analysis piece",
    "other": "General AI news",
}
"""How RANK_REASON names each event type."""

PART_NAMES = ("authority", "cluster_strength", "headline_signal", "time_decay")
LIFTS: Mapping[str, str] = {
    "authority": "source authority",
    "cluster_strength": "broad coverage",
    "headline_signal": "a high-signal event type",
    "time_decay": "freshness",
}
HOLDS: Mapping[str, str] = {
    "authority": "lower-tier sources",
    "cluster_strength": "thin coverage",
    "headline_signal": "a low-signal event type",
    "time_decay": "age",
}
HIGH_PART = 70.0
LOW_PART = 35.0
MAX_NAMED_OUTLETS = 3


def join_names(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def impact_line(features: EventFeatures) -> str:
    """The IMPACT sentence (see the module docstring)."""
    kind = features.event_type if features.event_type in IMPACT_TEMPLATES else "other"
    preposition, template = IMPACT_TEMPLATES[kind]
    redundant = REDUNDANT_TAGS.get(kind, frozenset())
    tag = next((t for t in features.tags if t in TOPIC_PHRASES and t not in redundant), None)
    topic = f" {preposition} {TOPIC_PHRASES[tag]}" if tag else ""
    if kind in TYPE_AUDIENCES:
        audience = TYPE_AUDIENCES[kind]
    elif tag:
        audience = AUDIENCES.get(tag, GENERAL_AUDIENCE)
    else:
        audience = DEFAULT_AUDIENCES.get(kind, GENERAL_AUDIENCE)
    names = features.entities[:2]
    who = f" involving {join_names(names)}" if names else ""
    if kind == "other" and not topic and not who:
        return UNSPECIFIC_IMPACT
    return template.format(topic=topic, who=who, audience=audience)


def _coverage_phrase(features: EventFeatures) -> str:
    sources = features.sources
    if len(sources) == 1:
        source = sources[0]
        if source.primary:
            return f"straight from the original publisher ({source.outlet}, tier-{source.tier})"
        return f"from a single tier-{source.tier} source ({source.outlet})"
    outlets = list(dict.fromkeys(s.outlet for s in sources))
    if len(outlets) <= MAX_NAMED_OUTLETS:
        named = join_names(outlets)
    else:
        named = ", ".join(outlets[:MAX_NAMED_OUTLETS]) + " and others"
    tier1 = features.tier1_count
    if tier1 == len(sources):
        tiers = ", all tier-1"
    elif tier1:
        tiers = f" including {_plural(tier1, 'tier-1 source')}"
    else:
        tiers = f", the best of them tier-{min(s.tier for s in sources)}"
    phrase = f"covered by {len(sources)} sources{tiers} ({named})"
    originals = [s.outlet for s in sources if s.primary]
    if originals:
        phrase += f", led by the original from {originals[0]}"
    return phrase


def _drivers_phrase(features: EventFeatures) -> str:
    parts = {name: float(getattr(features.score, name)) for name in PART_NAMES}
    lifts = [LIFTS[n] for n in PART_NAMES if parts[n] >= HIGH_PART]
    holds = [HOLDS[n] for n in PART_NAMES if parts[n] <= LOW_PART]
    if lifts and holds:
        return f"lifted by {join_names(lifts)}, held back by {join_names(holds)}"
    if lifts:
        return f"lifted by {join_names(lifts)}"
    if holds:
        return f"held back by {join_names(holds)}"
    return "no single score part stands out"


def rank_reason_line(features: EventFeatures) -> str:
    """The RANK_REASON sentence (see the module docstring)."""
    label = TYPE_LABELS.get(features.event_type, TYPE_LABELS["other"])
    return f"{label} {_coverage_phrase(features)}; {_drivers_phrase(features)}."


def coverage_sentence(features: EventFeatures) -> str:
    """A summary sentence from our records, for events whose items hold fewer than two
    sentences to copy: who reports the event and of what tier — never what happened.
    Every fact in it is among :func:`record_terms`."""
    sources = features.sources
    if len(sources) == 1:
        source = sources[0]
        if source.primary:
            return f"So far the only source on this is the original publisher, {source.outlet}."
        return f"So far only {source.outlet}, a tier-{source.tier} source, reports this."
    outlets = list(dict.fromkeys(s.outlet for s in sources))
    named = (
        join_names(outlets)
        if len(outlets) <= MAX_NAMED_OUTLETS
        else ", ".join(outlets[:MAX_NAMED_OUTLETS]) + " and others"
    )
    return f"It is reported by {len(sources)} sources: {named}."


def record_dates(features: EventFeatures) -> tuple[str, ...]:
    """The UTC publication dates (``YYYY-MM-DD``) of the event's items, earliest first:
    dates from our records a headline may carry to tell two events apart."""
    days = sorted({e.item.published_at.date().isoformat() for e in features.entries})
    return tuple(days)


def record_terms(features: EventFeatures) -> tuple[str, ...]:
    """Facts from our own records the lines may state: outlet and source names, the
    counts of sources, items and tier-1 sources, the tier labels, and the items'
    publication dates (:func:`record_dates`)."""
    counts = {features.source_count, features.item_count, features.tier1_count}
    tiers = {f"tier-{s.tier}" for s in features.sources}
    return (
        *outlet_names(features.sources),
        *(str(c) for c in sorted(counts)),
        *sorted(tiers),
        *record_dates(features),
    )
