"""Property tests: canonical_url is idempotent and total (needs hypothesis).

The parametrized and replay-corpus tests in test_normalize_urls.py check idempotence on
real URLs; these search adversarial spellings (escapes, AMP markers stacked on dot
segments, folded-host chains, IDNA, IPv6, odd queries and fragments).
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pulseaugur.normalize.urls import canonical_url  # noqa: E402

_PIECES = st.sampled_from(
    [
        "a", "A", "amp", "AMP", ".amp", ".amp.html", ".", "..", "/", "//", "%", "%2", "%41",
        "%7e", "%2F", "%e2%82%ac", "é", "€", " ", "+", "?", "&", "=", "#", "!", ":", ";",
        "@", "~", "_", "-", "utm_source", "amp=1", "outputType", "ref", "r", "x", "1", "\\",
    ]
)  # fmt: skip
_SEGMENT = st.lists(_PIECES, max_size=8).map("".join)
_HOSTS = st.sampled_from(
    [
        "Example.com", "www.example.com", "m.www.example.org", "amp.m.co",
        "mobile.amp.www.bbc.co.uk",
        "google.com", "www.google.co.uk", "a-b.cdn.ampproject.org", "github.com", "münchen.de",
        "[::1]", "[2001:DB8::1]", "1.2.3.4", "x.com", "cb.substack.com", "example.com.",
    ]
)  # fmt: skip
_PORTS = st.sampled_from(["", ":80", ":443", ":8080", ":"])
_SCHEMES = st.sampled_from(["http", "https", "HTTP", "HtTpS"])


@settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    scheme=_SCHEMES,
    host=_HOSTS,
    port=_PORTS,
    path=_SEGMENT,
    query=_SEGMENT,
    fragment=_SEGMENT,
    keep_anchor=st.booleans(),
)
def test_canonical_url_is_idempotent_on_structured_urls(
    scheme: str, host: str, port: str, path: str, query: str, fragment: str, keep_anchor: bool
) -> None:
    url = f"{scheme}://{host}{port}/{path}?{query}#{fragment}"
    once = canonical_url(url, keep_anchor=keep_anchor)
    if once is not None:
        assert once.startswith("https://")
        assert canonical_url(once, keep_anchor=keep_anchor) == once


@settings(max_examples=3000, deadline=None)
@given(text=st.text(max_size=80), keep_anchor=st.booleans())
def test_canonical_url_is_total_and_idempotent_on_any_text(text: str, keep_anchor: bool) -> None:
    for candidate in (text, "https://" + text, "http://example.com/" + text):
        once = canonical_url(candidate, keep_anchor=keep_anchor)
        if once is not None:
            assert canonical_url(once, keep_anchor=keep_anchor) == once
