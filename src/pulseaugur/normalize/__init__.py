"""normalize stage: parsed entries (``RawItem``) into clean ``Item`` records.

Pure functions, no I/O (the language model is read from the installed package once):

- ``urls``: ``canonical_url``, ``url_domain``, ``host_matches``
- ``text``: ``html_to_text``, ``excerpt``, ``clean_title``
- ``dates``: ``normalize_published``, ``to_utc``
- ``language``: ``detect_language``, ``normalize_language_code``
- ``item``: ``normalize_item``, ``clean_authors``
"""

from pulseaugur.normalize.dates import normalize_published, to_utc
from pulseaugur.normalize.item import clean_authors, normalize_item
from pulseaugur.normalize.language import detect_language, normalize_language_code
from pulseaugur.normalize.text import clean_title, excerpt, html_to_text
from pulseaugur.normalize.urls import canonical_url, host_matches, url_domain

__all__ = [
    "canonical_url",
    "clean_authors",
    "clean_title",
    "detect_language",
    "excerpt",
    "host_matches",
    "html_to_text",
    "normalize_item",
    "normalize_language_code",
    "normalize_published",
    "to_utc",
    "url_domain",
]
