"""summarize: turn an event's coverage into a :class:`~pulseaugur.types.Story`.

* :class:`Summarizer` — the protocol every summarizer implements (:mod:`.base`).
* :class:`ExtractiveSummarizer` — the offline default: headline and summary copied from
  the items, IMPACT and RANK_REASON composed from the event's features
  (:mod:`.extractive`, :mod:`.headline`, :mod:`.lines`).
* :func:`event_features` — what any summarizer builds from (:mod:`.features`).
* :func:`ungrounded_facts` — the check that refuses numbers, names and quotes no
  source contains (:mod:`.grounding`).
* :func:`attribution` — the credit line: extractive text is never called AI-generated
  (:mod:`.attribution`).

Nothing here does I/O or reads the clock.
"""

from pulseaugur.summarize.attribution import attribution, is_extractive
from pulseaugur.summarize.base import EXTRACTIVE, Summarizer
from pulseaugur.summarize.extractive import ExtractiveSummarizer
from pulseaugur.summarize.features import EventFeatures, event_features, sources_text
from pulseaugur.summarize.grounding import ungrounded_facts
from pulseaugur.summarize.headline import clean_title
from pulseaugur.summarize.lines import impact_line, rank_reason_line, record_terms

__all__ = [
    "EXTRACTIVE",
    "EventFeatures",
    "ExtractiveSummarizer",
    "Summarizer",
    "attribution",
    "clean_title",
    "event_features",
    "impact_line",
    "is_extractive",
    "rank_reason_line",
    "record_terms",
    "sources_text",
    "ungrounded_facts",
]
