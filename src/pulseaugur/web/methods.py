"""The methods pages, rendered from the code and configuration that are running.

    GET /methods/summaries      how we write summaries (extractive rules, grounding,
                                headlines, attribution, the LLM path and its prompt)
    GET /methods/clustering     how clustering works (``ClusterParams``, the learned
                                merge models, events, storylines and merges)
    GET /methods/ranking        how we rank (score parts and weights, tiers, event
                                types, topics, primary link and coverage order)

Every number, limit, list and prompt on these pages is read from the objects the
pipeline uses — the summarizer's constants, ``SYSTEM_PROMPT`` and ``story_schema``,
``ClusterParams()`` (and each field's attribute docstring as its explanation),
``default_models()``, the score weights the app was given, the rank tables, and the
source registry in storage — when the page is requested, so the pages cannot drift
from what the code does. Templates hold only the prose around those values.

Of the configuration, only what is safe to publish is shown: whether the LLM summarizer
is on, its model name, timeout, attempts and daily token budget. The API key and the
endpoint URL (which may carry credentials or name an internal host) are never passed to
a template.

Any other ``/methods/<name>`` is a 404. Handlers are plain ``def``: storage is
synchronous.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from itertools import pairwise
from types import ModuleType
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

import pulseaugur.cluster.merge as merge_module
import pulseaugur.rank.authority as authority_module
import pulseaugur.rank.event_type as event_type_module
import pulseaugur.rank.rules as rules_module
import pulseaugur.rank.scoring as scoring_module
import pulseaugur.rank.topics as topics_module
import pulseaugur.summarize.extractive as extractive_module
import pulseaugur.summarize.llm as llm_module
import pulseaugur.summarize.text as text_module
from pulseaugur.cluster.merge import FEATURES, MergeModel, default_models
from pulseaugur.cluster.online import ClusterParams
from pulseaugur.config import Settings
from pulseaugur.rank import (
    DEFAULT_WEIGHTS,
    EVENT_RULES,
    EVENT_TYPES,
    FALLBACK_TAG,
    HEADLINE_SIGNAL,
    TIER_POINTS,
    TOPIC_RULES,
    TOPICS,
    Rule,
    ScoreWeights,
)
from pulseaugur.summarize.answer import story_schema
from pulseaugur.summarize.attribution import attribution
from pulseaugur.summarize.extractive import headline_prior
from pulseaugur.summarize.features import source_prior
from pulseaugur.summarize.headline import KNOWN_OUTLETS, MAX_HEADLINE_CHARS
from pulseaugur.summarize.lines import HIGH_PART, LOW_PART
from pulseaugur.summarize.llm import (
    MAX_ATTEMPTS,
    MAX_COMPLETION_TOKENS,
    MAX_ITEM_CHARS,
    MAX_PROMPT_ITEMS,
    PROMPT_VERSION,
    SYSTEM_PROMPT,
)
from pulseaugur.summarize.text import GENERIC_CAPS, MAX_SENTENCE_CHARS
from pulseaugur.types import CoverageEntry, Item, ScoreParts, Source, Story
from pulseaugur.web.context import web_context
from pulseaugur.web.i18n import N_

router = APIRouter(include_in_schema=False)

PAGES: Final[tuple[tuple[str, str], ...]] = (
    ("summaries", N_("How we write summaries")),
    ("clustering", N_("How clustering works")),
    ("ranking", N_("How we rank")),
)
"""The methods pages, in navigation order: ``(name, title)``; served at ``/methods/<name>``."""

Fragment = tuple[str, bool]
"""A piece of explanatory text: ``(text, is_code)``; code is shown in ``<code>``."""


# ---- reading the code's own documentation --------------------------------------------------


def _docstring_after(body: Sequence[ast.stmt]) -> dict[str, str]:
    """``name → docstring`` for every ``name = …`` / ``name: T = …`` directly followed by
    a string literal (an attribute docstring, the convention Sphinx reads)."""
    docs: dict[str, str] = {}
    for statement, following in pairwise(body):
        target: ast.expr | None = None
        if isinstance(statement, ast.AnnAssign):
            target = statement.target
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        if not isinstance(target, ast.Name):
            continue
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[target.id] = inspect.cleandoc(following.value.value)
    return docs


_DOCS_CACHE: dict[type | ModuleType, Mapping[str, str]] = {}


def attribute_docs(owner: type | ModuleType) -> Mapping[str, str]:
    """The attribute docstrings of a class (its bases' first, so a subclass's own win)
    or of a module's top-level names, read from the source with :mod:`ast` once per
    owner. Names without one are absent; an owner whose source cannot be read gives
    none."""
    cached = _DOCS_CACHE.get(owner)
    if cached is not None:
        return cached
    docs: dict[str, str] = {}
    owners: Sequence[type | ModuleType] = (
        [c for c in reversed(owner.__mro__) if c is not object]
        if isinstance(owner, type)
        else [owner]
    )
    for part in owners:
        try:
            source = textwrap.dedent(inspect.getsource(part))
        except (OSError, TypeError):
            continue
        tree = ast.parse(source)
        if isinstance(part, ModuleType):
            docs.update(_docstring_after(tree.body))
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == part.__name__:
                docs.update(_docstring_after(node.body))
    _DOCS_CACHE[owner] = docs
    return docs


_INLINE_RE = re.compile(r":[a-z]+:`~?([^`]+)`|``([^`]+)``|`([^`]+)`")


def fragments(text: str) -> tuple[Fragment, ...]:
    """Docstring text (reStructuredText inline markup) as plain and code pieces:
    ``:class:`~a.b.C``` → code ``C``, ``:data:`NAME``` → code ``NAME``, ````x```` and
    ```x``` → code ``x``; line breaks become spaces."""
    text = " ".join(text.split())
    out: list[Fragment] = []
    position = 0
    for match in _INLINE_RE.finditer(text):
        if match.start() > position:
            out.append((text[position : match.start()], False))
        role, literal, interpreted = match.groups()
        if role is not None:
            code = role.rsplit(".", 1)[-1] if match.group(0).count("~") else role
        else:
            code = literal if literal is not None else interpreted
        out.append((code, True))
        position = match.end()
    if position < len(text):
        out.append((text[position:], False))
    return tuple(out)


def value_text(value: object) -> str:
    """A configuration value as the pages show it: ``on``/``off`` for booleans, ``4,096``
    for integers, ``0.24`` / ``1.5`` for floats (shortest form that round-trips at 6
    significant digits), ``str()`` otherwise."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:g}"
    return str(value)


def weight_text(value: float) -> str:
    """A learned weight: signed, three decimals (``+4.785``, ``-0.049``, ``0.000``)."""
    return "0.000" if value == 0 else f"{value:+.3f}"


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of a values table: the name in the code, the value as shown, and the
    explanation as fragments (empty when the code documents none)."""

    name: str
    value: str
    doc: tuple[Fragment, ...]


def _settings_rows(
    values: Sequence[tuple[str, object]],
    docs: Mapping[str, str],
    fallback: Mapping[str, str] | None = None,
) -> list[Setting]:
    fallback = fallback or {}
    return [
        Setting(name, value_text(value), fragments(docs.get(name) or fallback.get(name, "")))
        for name, value in values
    ]


# ---- /methods/summaries ---------------------------------------------------------------------

_PROBE_TIME = datetime(2000, 1, 1, tzinfo=UTC)

_EXTRACTIVE_NOTES: Final[Mapping[str, str]] = {
    "MAX_SENTENCES": "Most sentences in a summary.",
    "MIN_SENTENCES": "Sentences a summary has before it may stop early (when the items "
    "hold that many usable ones).",
    "MIN_FRAGMENT_WORDS": "A sentence the feed cut off (ending in ``…``) is used, as a last "
    "resort, only when it has at least this many words.",
    "MIN_SENTENCE_CHARS": "A shorter sentence is not usable.",
    "MIN_SENTENCE_WORDS": "A sentence with fewer words is not usable.",
}


def _probe_entry(tier: int, primary: bool) -> CoverageEntry:
    """A coverage entry from a source of ``tier`` (an original when ``primary``), for
    asking the prior functions what they give such a source."""
    source = Source(id="probe", kind="feed", url="", name="", outlet="", tier=tier, primary=primary)
    item = Item(
        id="probe",
        source_id="probe",
        guid=None,
        url_original=None,
        canonical_url=None,
        title="",
        title_en="",
        body="",
        excerpt="",
        authors=(),
        lang="en",
        published_at=_PROBE_TIME,
        fetched_at=_PROBE_TIME,
        content_hash="",
        raw_json={},
    )
    return CoverageEntry(item=item, source=source)


def _probe_story(summarizer: str, sources: int) -> Story:
    """A story that differs only in who wrote it and from how many sources."""
    return Story(
        cluster_id=0,
        headline="",
        summary=(),
        impact="",
        rank_reason="",
        tags=(),
        event_type="other",
        score=ScoreParts(0.0, 0.0, 0.0, 0.0, 0.0),
        primary_item_id="",
        summarizer=summarizer,
        source_count=sources,
        coverage_item_ids=(),
    )


def summaries_values(settings: Settings) -> dict[str, Any]:
    """Everything ``methods_summaries.html`` shows, read from the summarizer modules and
    ``settings`` (only the publishable parts of it; never the key or the URL)."""
    extractive_docs = {
        **attribute_docs(text_module),
        **attribute_docs(extractive_module),
    }
    names = (
        "MAX_SENTENCES",
        "MIN_SENTENCES",
        "REDUNDANCY",
        "HEADLINE_REPEAT",
        "WEAK_RATIO",
        "SOFT_MAX_CHARS",
        "QUESTION_FACTOR",
        "MIN_FRAGMENT_WORDS",
    )
    extractive_rows = _settings_rows(
        [(n, getattr(extractive_module, n)) for n in names]
        + [
            (n, getattr(text_module, n))
            for n in ("MAX_SENTENCE_CHARS", "MIN_SENTENCE_CHARS", "MIN_SENTENCE_WORDS")
        ],
        extractive_docs,
        _EXTRACTIVE_NOTES,
    )
    priors = [
        {
            "label": "an original (first-party publisher)",
            "sentence": value_text(source_prior(_probe_entry(1, True))),
        },
        *(
            {
                "label": f"tier {tier}",
                "sentence": value_text(source_prior(_probe_entry(tier, False))),
                "headline": value_text(headline_prior(_probe_entry(tier, False))),
            }
            for tier in sorted(TIER_POINTS)
        ),
    ]
    llm_docs = attribute_docs(llm_module)
    llm_rows = _settings_rows(
        [
            ("PROMPT_VERSION", PROMPT_VERSION),
            ("MAX_PROMPT_ITEMS", MAX_PROMPT_ITEMS),
            ("MAX_ITEM_CHARS", MAX_ITEM_CHARS),
            ("MAX_COMPLETION_TOKENS", MAX_COMPLETION_TOKENS),
            ("MAX_ATTEMPTS", MAX_ATTEMPTS),
            ("DEFAULT_FAILURE_COOLDOWN_S", llm_module.DEFAULT_FAILURE_COOLDOWN_S),
            ("CACHE_SIZE", llm_module.CACHE_SIZE),
        ],
        llm_docs,
        {"CACHE_SIZE": "Answers kept in memory (the newest), by the event's content."},
    )
    llm_on = settings.summarizer == "openai"
    return {
        "extractive_rows": extractive_rows,
        "priors": priors,
        "max_sentences": extractive_module.MAX_SENTENCES,
        "min_sentences": extractive_module.MIN_SENTENCES,
        "redundancy": value_text(extractive_module.REDUNDANCY),
        "max_sentence_chars": MAX_SENTENCE_CHARS,
        "max_headline_chars": MAX_HEADLINE_CHARS,
        "known_outlets": sorted(set(KNOWN_OUTLETS), key=str.lower),
        "high_part": value_text(HIGH_PART),
        "low_part": value_text(LOW_PART),
        "generic_caps": sorted(GENERIC_CAPS),
        "attribution_extractive": attribution(_probe_story("extractive", 5)),
        "attribution_extractive_one": attribution(_probe_story("extractive", 1)),
        "attribution_model": attribution(_probe_story("<model>", 5)),
        "llm_on": llm_on,
        "llm_model": settings.summarizer_model if llm_on else "",
        "llm_timeout": value_text(settings.summarizer_timeout_s),
        "llm_daily_tokens": value_text(settings.summarizer_daily_tokens),
        "llm_rows": llm_rows,
        "system_prompt": SYSTEM_PROMPT,
        "schema_items": MAX_PROMPT_ITEMS,
        "max_item_chars": value_text(MAX_ITEM_CHARS),
        "schema": json.dumps(story_schema(MAX_PROMPT_ITEMS), indent=2, ensure_ascii=False),
    }


# ---- /methods/clustering --------------------------------------------------------------------


def cluster_params() -> ClusterParams:
    """The parameters the running clusterer uses (``OnlineClusterer()`` in the pipeline
    takes the defaults)."""
    return ClusterParams()


def _model_view(model: MergeModel) -> dict[str, Any]:
    weights = [
        {"name": name, "weight": weight_text(weight), "used": weight != 0}
        for name, weight in zip(FEATURES, model.weights, strict=True)
    ]
    return {
        "weights": weights,
        "bias": weight_text(model.bias),
        "cut": value_text(model.cut),
        "candidates": model.candidates,
        "min_cos": value_text(model.min_cos),
        "singleton_margin": value_text(model.singleton_margin),
        "unused": sum(1 for w in weights if not w["used"]),
    }


def clustering_values(params: ClusterParams) -> dict[str, Any]:
    """Everything ``methods_clustering.html`` shows: every field of ``params`` with its
    attribute docstring, and the shipped learned models."""
    docs = attribute_docs(type(params))
    rows = _settings_rows([(f.name, getattr(params, f.name)) for f in fields(params)], docs)
    event_model, storyline_model = default_models()
    return {
        "params": params,
        "p": {f.name: value_text(getattr(params, f.name)) for f in fields(params)},
        "rows": rows,
        "event_model": _model_view(event_model),
        "storyline_model": _model_view(storyline_model) if storyline_model else None,
        "features_doc": fragments(attribute_docs(merge_module).get("FEATURES", "")),
    }


# ---- /methods/ranking -----------------------------------------------------------------------


def _rule_view(rule: Rule) -> dict[str, Any]:
    return {
        "label": rule.label,
        "strong": rule.strong,
        "weak": rule.weak,
        "title_only": rule.title_only,
    }


def _tier_view(sources: Sequence[Source]) -> dict[str, Any]:
    enabled = [s for s in sources if s.enabled]
    counts = Counter(s.tier for s in enabled)
    tiers = sorted(set(TIER_POINTS) | set(counts))
    tier_one = sorted(
        (s for s in enabled if s.tier == 1), key=lambda s: (s.display_name.lower(), s.id)
    )
    return {
        "total": len(sources),
        "enabled": len(enabled),
        "disabled": len(sources) - len(enabled),
        "primary": sum(1 for s in enabled if s.primary),
        "counts": [(tier, counts.get(tier, 0)) for tier in tiers],
        "tier_one": tier_one,
    }


def ranking_values(weights: ScoreWeights, sources: Sequence[Source]) -> dict[str, Any]:
    """Everything ``methods_ranking.html`` shows: the score's parts and ``weights`` (with
    the defaults beside them when they differ), the rank tables, and the tiers of
    ``sources`` (the live registry)."""
    names = [f.name for f in fields(ScoreWeights)]
    weight_docs = {
        "authority": "the tiers of the sources reporting it",
        "cluster_strength": "how many independent sources report it, and how many are tier 1",
        "headline_signal": "what kind of news it is (its event type)",
        "time_decay": "how recent its latest coverage is",
        "half_life_hours": "hours after which the time-decay part has halved",
    }
    total = weights.total_weight
    weight_rows = [
        {
            "name": name,
            "value": value_text(getattr(weights, name)),
            "default": value_text(getattr(DEFAULT_WEIGHTS, name)),
            "share": (
                f"{100 * getattr(weights, name) / total:.0f}%" if name != "half_life_hours" else ""
            ),
            "doc": weight_docs.get(name, ""),
        }
        for name in names
    ]
    rule_docs = attribute_docs(rules_module)
    return {
        "weights": weights,
        "weight_rows": weight_rows,
        "custom_weights": weights != DEFAULT_WEIGHTS,
        "tier_points": [(tier, value_text(points)) for tier, points in sorted(TIER_POINTS.items())],
        "original_bonus": value_text(scoring_module.ORIGINAL_BONUS),
        "strength_base": value_text(scoring_module.STRENGTH_BASE),
        "tier1_extra": value_text(scoring_module.TIER1_EXTRA),
        "half_life": value_text(weights.half_life_hours),
        "event_types": [
            {
                "name": name,
                "signal": value_text(HEADLINE_SIGNAL.get(name, HEADLINE_SIGNAL["other"])),
                "rule": next((_rule_view(r) for r in EVENT_RULES if r.label == name), None),
            }
            for name in EVENT_TYPES
        ],
        "min_points": value_text(event_type_module.MIN_POINTS),
        "section_points": value_text(event_type_module.SECTION_POINTS),
        "strong_points": value_text(rules_module.STRONG_POINTS),
        "weak_points": value_text(rules_module.WEAK_POINTS),
        "title_factor": value_text(rules_module.TITLE_FACTOR),
        "money_doc": fragments(rule_docs.get("MONEY", "")),
        "topics": [_rule_view(r) for r in TOPIC_RULES if r.label in TOPICS],
        "min_tag_points": value_text(topics_module.MIN_TAG_POINTS),
        "max_tags": topics_module.MAX_TAGS,
        "fallback_tag": FALLBACK_TAG,
        "authority_key_doc": fragments(inspect.getdoc(authority_module.authority_key) or ""),
        "tiers": _tier_view(sources),
    }


# ---- routes ---------------------------------------------------------------------------------


def _render(request: Request, name: str, values: Mapping[str, Any]) -> HTMLResponse:
    context = {
        "pages": PAGES,
        "current": name,
        "title": dict(PAGES)[name],
        "value_text": value_text,
        **values,
    }
    return web_context(request).render(f"methods_{name}.html", context, request=request)


@router.api_route("/methods/summaries", methods=["GET", "HEAD"], response_class=HTMLResponse)
def methods_summaries(request: Request) -> HTMLResponse:
    """How we write summaries, with the live limits, prompt and schema."""
    settings = web_context(request).settings
    return _render(request, "summaries", summaries_values(settings))


@router.api_route("/methods/clustering", methods=["GET", "HEAD"], response_class=HTMLResponse)
def methods_clustering(request: Request) -> HTMLResponse:
    """How clustering works, with the live ``ClusterParams`` and merge models."""
    return _render(request, "clustering", clustering_values(cluster_params()))


@router.api_route("/methods/ranking", methods=["GET", "HEAD"], response_class=HTMLResponse)
def methods_ranking(request: Request) -> HTMLResponse:
    """How we rank, with the weights in use and the tiers of the live source registry."""
    web = web_context(request)
    return _render(request, "ranking", ranking_values(web.weights, web.storage.get_sources()))
