"""What a published story must hold, checked on the story as stored.

The benchmark ``benchmarks/stories.py`` and the replay tests run these over every story
of a replay; they do no I/O.

* :func:`story_ungrounded` — the grounding check (:func:`~.grounding.ungrounded_facts`)
  on the headline, each summary sentence, IMPACT and RANK_REASON against every item of
  the event, with the facts of our own records (:func:`~.lines.record_terms`) allowed —
  the same check the LLM summarizer applies to a model's answer.
* :func:`limit_problems` — the length limits: a headline of 1 to
  :data:`~.headline.MAX_HEADLINE_CHARS` characters, a summary of
  :data:`MIN_SUMMARY_SENTENCES` to :data:`MAX_SUMMARY_SENTENCES` sentences.
* :func:`duplicate_headlines` — headlines that more than one story carries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from pulseaugur.summarize.features import event_features, sources_text
from pulseaugur.summarize.grounding import ungrounded_facts
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS
from pulseaugur.summarize.lines import record_terms
from pulseaugur.types import Cluster, CoverageEntry, Story

MIN_SUMMARY_SENTENCES = 2
MAX_SUMMARY_SENTENCES = 4


def story_fields(story: Story) -> list[tuple[str, str]]:
    """``(field, text)`` for every text of the story the grounding check covers:
    ``headline``, ``summary[1]`` … ``summary[n]``, ``impact``, ``rank_reason``."""
    return [
        ("headline", story.headline),
        *((f"summary[{n}]", s.text) for n, s in enumerate(story.summary, start=1)),
        ("impact", story.impact),
        ("rank_reason", story.rank_reason),
    ]


def story_ungrounded(
    story: Story, cluster: Cluster, entries: Sequence[CoverageEntry]
) -> dict[str, list[str]]:
    """Field → the facts in it that no item of ``entries`` (the event's coverage) nor
    our records contain; only fields with such facts appear, so ``{}`` means the story
    is grounded. Raises ``ValueError`` for no entries."""
    features = event_features(cluster, entries, cluster.last_updated)
    sources = sources_text(features.entries)
    allowed = record_terms(features)
    out: dict[str, list[str]] = {}
    for name, text in story_fields(story):
        facts = ungrounded_facts(text, sources, allowed)
        if facts:
            out[name] = facts
    return out


def limit_problems(story: Story) -> list[str]:
    """The story's breaches of the length limits, in words (empty when it holds them)."""
    problems: list[str] = []
    if not story.headline.strip():
        problems.append("empty headline")
    if len(story.headline) > MAX_HEADLINE_CHARS:
        problems.append(f"headline of {len(story.headline)} characters (> {MAX_HEADLINE_CHARS})")
    count = len(story.summary)
    if not MIN_SUMMARY_SENTENCES <= count <= MAX_SUMMARY_SENTENCES:
        problems.append(
            f"summary of {count} sentence{'s' if count != 1 else ''} "
            f"(not {MIN_SUMMARY_SENTENCES}-{MAX_SUMMARY_SENTENCES})"
        )
    return problems


def duplicate_headlines(stories: Iterable[Story]) -> dict[str, list[int]]:
    """Headline → the cluster ids of the stories carrying it, for each headline more
    than one story carries (compared exactly, after case folding and trimming)."""
    by_headline: dict[str, list[int]] = defaultdict(list)
    shown: dict[str, str] = {}
    for story in stories:
        key = " ".join(story.headline.casefold().split())
        shown.setdefault(key, story.headline)
        by_headline[key].append(story.cluster_id)
    return {shown[k]: sorted(ids) for k, ids in by_headline.items() if len(ids) > 1}
