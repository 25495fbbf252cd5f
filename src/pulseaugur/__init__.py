"""PulseAugur: a live AI-news service.

Sources are fetched and parsed into items, items are grouped into events, events become
stories with a summary, an IMPACT and a RANK_REASON line and a score, and the best of
them make the Brief. See ``docs/architecture.md`` for the flow.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
