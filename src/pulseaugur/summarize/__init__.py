"""summarize: turn an event's coverage into a :class:`~pulseaugur.types.Story`.

* :class:`Summarizer` — the protocol every summarizer implements (:mod:`.base`).
* :class:`ExtractiveSummarizer` — the offline default: headline and summary copied from
  the items, IMPACT and RANK_REASON composed from the event's features
  (:mod:`.extractive`, :mod:`.headline`, :mod:`.lines`).
* :class:`LlmSummarizer` — a story written by a model behind any OpenAI-compatible chat
  API, checked (schema, grounding) and cached, with the extractive story whenever the
  model fails (:mod:`.llm`; the one part here that does I/O).
* :func:`event_features` — what any summarizer builds from (:mod:`.features`).
* :func:`ungrounded_facts` — the check that refuses numbers, names and quotes no
  source contains (:mod:`.grounding`).
* :func:`attribution` — the credit line: extractive text is never called AI-generated
  (:mod:`.attribution`).

Apart from :class:`LlmSummarizer`'s requests (and its budget's wall clock), nothing here
does I/O or reads the clock.
"""

from pulseaugur.summarize.attribution import attribution, is_extractive
from pulseaugur.summarize.base import EXTRACTIVE, Summarizer
from pulseaugur.summarize.extractive import ExtractiveSummarizer
from pulseaugur.summarize.features import EventFeatures, event_features, sources_text
from pulseaugur.summarize.grounding import ungrounded_facts
from pulseaugur.summarize.headline import clean_title
from pulseaugur.summarize.lines import impact_line, rank_reason_line, record_terms
from pulseaugur.summarize.llm import LlmSummarizer

__all__ = [
    "EXTRACTIVE",
    "EventFeatures",
    "ExtractiveSummarizer",
    "LlmSummarizer",
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
