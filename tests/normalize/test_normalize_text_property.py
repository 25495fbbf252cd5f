"""Property tests for html_to_text and friends (needs hypothesis).

Inputs are built from the pieces that make HTML sanitizers go wrong: scripts, handlers,
comments, CDATA, namespace prefixes, entities escaped several times, break sentinels.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pulseaugur.normalize.text import (  # noqa: E402
    clean_title,
    excerpt,
    html_to_text,
    looks_like_html,
)

_PIECES = st.sampled_from(
    [
        "<p>", "</p>", "<div>", "</div>", "<li>", "<br>", "<b>", "<pre>", "<script>",
        "</script>", "<style>", "<svg>", "<x onclick=1>", "<a href='javascript:1'>",
        "<html:script>", "<?x>", "<!--", "-->", "<![CDATA[", "]]>", "<!doctype html>",
        "&amp;", "&lt;", "&gt;", "&#60;", "&#x3c;", "&#38;", "&", "<", ">", "lt;", "amp;",
        "a", "é", " ", "\n", "\t", "\u200b", "\ue000", "\ue001", "<scr", "ipt>", "中文",
    ]
)  # fmt: skip
_MARKUP = st.lists(_PIECES, max_size=25).map("".join)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(_MARKUP)
def test_html_to_text_leaves_no_markup_and_is_idempotent(markup: str) -> None:
    text = html_to_text(markup)
    assert not looks_like_html(text)
    assert "<script" not in text.lower()
    assert html_to_text(text) == text
    assert text == text.strip()
    assert "\n\n\n" not in text


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=200))
def test_html_to_text_is_total(text: str) -> None:
    result = html_to_text(text)
    assert not looks_like_html(result)
    assert "\n" not in clean_title(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_excerpt_never_exceeds_limit(text: str, limit: int) -> None:
    cut = excerpt(text, limit)
    assert len(cut) <= limit
    flat = " ".join(text.split())
    if len(flat) <= limit:
        assert cut == flat
    else:
        assert cut.endswith("…")
