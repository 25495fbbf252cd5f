"""canonical_url / url_domain / host_matches: real URLs from the replay corpus and feeds."""

from __future__ import annotations

from typing import Any

import pytest

from pulseaugur.normalize.urls import canonical_url, host_matches, url_domain


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Real links from shared/data/replay/ai-news-items.jsonl.
        (
            "https://www.theinformation.com/articles/openai-discovers-new-way-cut-inference-costs-half?utm_source=ti_app&rc=hwneun",
            "https://theinformation.com/articles/openai-discovers-new-way-cut-inference-costs-half",
        ),
        (
            "https://www.wsj.com/tech/apple-openai-lawsuit-f86bd58c?st=87GtPs&reflink=article_copyURL_share",
            "https://wsj.com/tech/apple-openai-lawsuit-f86bd58c",
        ),
        (
            "https://www.bloomberg.com/news/articles/2026-07-14/openai-s-first-device-will-be-moveable-screenless-speaker-built-as-ai-companion?srnd=homepage-americas",
            "https://bloomberg.com/news/articles/2026-07-14/openai-s-first-device-will-be-moveable-screenless-speaker-built-as-ai-companion",
        ),
        (
            "https://www.sfchronicle.com/bayarea/article/california-forever-shipyard-texas-22347278.php?taid=6a587e4ddd3d1b000105dcb5&utm_campaign=trueanthem%2B3988&utm_medium=social&utm_source=twitter",
            "https://sfchronicle.com/bayarea/article/california-forever-shipyard-texas-22347278.php",
        ),
        (
            "https://cb.substack.com/p/pangram-founder-max-spero?r=3y2k4&triedRedirect=true",
            "https://cb.substack.com/p/pangram-founder-max-spero",
        ),
        ("http://ai-2040.com/?r=tw", "https://ai-2040.com/?r=tw"),
        (
            "https://www.anthropic.com/news/announcing-our-updated-responsible-scaling-policy",
            "https://anthropic.com/news/announcing-our-updated-responsible-scaling-policy",
        ),
        ("https://blog.google/technology/ai/", "https://blog.google/technology/ai"),
        (
            "https://techcrunch.com/2024/05/13/openai-gpt-4o/?guccounter=1&guce_referrer=aHR0cHM6Ly9&guce_referrer_sig=AQAAA",
            "https://techcrunch.com/2024/05/13/openai-gpt-4o",
        ),
        (
            "https://news.ycombinator.com/item?id=41234567",
            "https://news.ycombinator.com/item?id=41234567",
        ),
        ("https://windsurf.com/changelog#1.0.2", "https://windsurf.com/changelog"),
        (
            "https://www.science.org/content/article/deep-sea-vehicles-spot-alien-sharks-deep-beneath-waves-pacific#",
            "https://science.org/content/article/deep-sea-vehicles-spot-alien-sharks-deep-beneath-waves-pacific",
        ),
        # Scheme, host, port, path normalization.
        ("HTTP://WWW.Example.COM:80/a/./b/../c/", "https://example.com/a/c"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://user:secret@example.com/x", "https://example.com/x"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("https://example.com./x", "https://example.com/x"),
        ("https://example.com/%7euser/%e2%82%ac/a b", "https://example.com/~user/%E2%82%AC/a%20b"),
        ("https://münchen.de/straße", "https://xn--mnchen-3ya.de/stra%C3%9Fe"),
        ("https://[2001:DB8::1]:8080/x", "https://[2001:db8::1]:8080/x"),
        ("https://127.0.0.1/x", "https://127.0.0.1/x"),
        # Host variants.
        ("https://m.theverge.com/2024/1/1/story", "https://theverge.com/2024/1/1/story"),
        ("https://mobile.twitter.com/openai/status/1", "https://twitter.com/openai/status/1"),
        (
            "https://amp.theguardian.com/technology/2024/x",
            "https://theguardian.com/technology/2024/x",
        ),
        ("https://www.m.example.co.uk/x", "https://example.co.uk/x"),
        ("https://m.co/", "https://m.co/"),
        ("https://www2.example.com/", "https://www2.example.com/"),
        # AMP variants.
        ("https://example.com/story/amp", "https://example.com/story"),
        ("https://example.com/story/amp/", "https://example.com/story"),
        ("https://example.com/story?amp", "https://example.com/story"),
        ("https://example.com/story?amp=1&id=3", "https://example.com/story?id=3"),
        ("https://example.com/story?outputType=amp&id=3", "https://example.com/story?id=3"),
        ("https://www.bbc.com/news/world-123.amp", "https://bbc.com/news/world-123"),
        (
            "https://edition.cnn.com/2024/01/01/tech/x/index.amp.html",
            "https://edition.cnn.com/2024/01/01/tech/x/index.html",
        ),
        (
            "https://www.google.com/amp/s/www.bbc.com/news/world-123.amp",
            "https://bbc.com/news/world-123",
        ),
        (
            "https://www-bbc-com.cdn.ampproject.org/c/s/www.bbc.com/news/world-123",
            "https://bbc.com/news/world-123",
        ),
        (
            "https://www.google.co.uk/amp/s/www.bbc.com/news/world-123",
            "https://bbc.com/news/world-123",
        ),
        # Only Google's own hosts are unwrapped.
        ("https://google.evil.com/amp/s/bbc.com/x", "https://google.evil.com/amp/s/bbc.com/x"),
        ("https://example.com/amp", "https://example.com/amp"),
        ("https://github.com/ampproject/amp", "https://github.com/ampproject/amp"),
        # Query handling.
        (
            "https://example.com/p?b=2&a=1&utm_source=x&UTM_Medium=y",
            "https://example.com/p?a=1&b=2",
        ),
        (
            "https://example.com/p?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=hn&ref_src=twsrc",
            "https://example.com/p",
        ),
        (
            "https://example.com/p?cmpid=1&ncid=2&pk_campaign=3&mtm_source=4",
            "https://example.com/p",
        ),
        ("https://example.com/p?q=a+b&q=a%20b", "https://example.com/p?q=a%20b&q=a+b"),
        ("https://example.com/p?&&x=1&", "https://example.com/p?x=1"),
        ("https://example.com/p?", "https://example.com/p"),
        ("https://example.com/search?q=%e4%b8%ad", "https://example.com/search?q=%E4%B8%AD"),
        ("https://example.com/p?utm%5Fsource=x", "https://example.com/p"),
        ("https://example.com/p?r=1&st=2", "https://example.com/p?r=1&st=2"),
        # Fragments: dropped, except single-page-app routes.
        ("https://example.com/p#section-2", "https://example.com/p"),
        ("https://example.com/#!/post/1", "https://example.com/#!/post/1"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "mailto:press@openai.com",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "//example.com/x",
        "/relative/path",
        "example.com/no-scheme",
        "https://",
        "https:///path-only",
        "https://exa mple.com/",
        "https://example.com:99999/",
        "https://example.com:port/",
        "https://[not-ipv6/",
        "https://-bad-.com/",
        "https://example.com/\nx",
        "https://ex%61mple.com/",
    ],
)
def test_canonical_url_rejects(url: str) -> None:
    assert canonical_url(url) is None
    assert url_domain(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://windsurf.com/changelog#1.0.2", "https://windsurf.com/changelog#1.0.2"),
        (
            "https://windsurf.com/changelog/windsurf-next#1.2.106",
            "https://windsurf.com/changelog/windsurf-next#1.2.106",
        ),
        ("https://kagi.com/changelog#11296", "https://kagi.com/changelog#11296"),
        ("https://lua.org/versions.html#5.5", "https://lua.org/versions.html#5.5"),
        ("https://example.com/p#comments", "https://example.com/p"),
        ("https://example.com/p#more-1234", "https://example.com/p"),
        ("https://example.com/p#xtor=RSS-3", "https://example.com/p"),
        ("https://eigendrum.com/#p=circle", "https://eigendrum.com/"),
        ("https://example.com/p#:~:text=hello", "https://example.com/p"),
        ("https://example.com/p#", "https://example.com/p"),
    ],
)
def test_canonical_url_keep_anchor(url: str, expected: str) -> None:
    assert canonical_url(url, keep_anchor=True) == expected
    assert canonical_url(expected, keep_anchor=True) == expected


def test_changelog_entries_stay_distinct_with_anchor() -> None:
    urls = [f"https://windsurf.com/changelog#1.0.{n}" for n in range(2, 8)]
    assert len({canonical_url(u) for u in urls}) == 1
    assert len({canonical_url(u, keep_anchor=True) for u in urls}) == len(urls)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://techcrunch.com/2024/05/13/openai-gpt-4o/", "techcrunch.com"),
        ("https://www.theverge.com/2024/1/1/story", "theverge.com"),
        ("https://blog.google/technology/ai/", "blog.google"),
        ("https://news.mit.edu/2024/x", "news.mit.edu"),
        ("http://WWW.ZDNet.com/article/x/", "zdnet.com"),
        ("https://developers.openai.com/blog", "developers.openai.com"),
        ("https://m.youtube.com/watch?v=1", "youtube.com"),
        ("https://example.com:8080/x", "example.com"),
    ],
)
def test_url_domain(url: str, expected: str) -> None:
    assert url_domain(url) == expected


@pytest.mark.parametrize(
    ("host", "domain", "expected"),
    [
        ("techcrunch.com", "techcrunch.com", True),
        ("www.techcrunch.com", "techcrunch.com", True),
        ("news.mit.edu", "mit.edu", True),
        ("mit.edu", "news.mit.edu", False),
        ("notmit.edu", "mit.edu", False),
        ("Blog.Google", "blog.google", True),
        ("example.com", "", False),
    ],
)
def test_host_matches(host: str, domain: str, expected: bool) -> None:
    assert host_matches(host, domain) is expected


def test_canonical_url_idempotent_on_replay_corpus(replay_rows: list[dict[str, Any]]) -> None:
    """Every real URL in the replay corpus: canonical, stable under a second pass."""
    checked = 0
    for row in replay_rows:
        url = row.get("url")
        if not url:
            continue
        for keep_anchor in (False, True):
            once = canonical_url(url, keep_anchor=keep_anchor)
            assert once is not None, url
            assert once.startswith("https://"), once
            assert canonical_url(once, keep_anchor=keep_anchor) == once, url
            assert "utm_" not in once
        checked += 1
    assert checked > 10_000


def test_replay_www_and_bare_hosts_fold_together(replay_rows: list[dict[str, Any]]) -> None:
    domains = {url_domain(row["url"]) for row in replay_rows if row.get("url")}
    assert None not in domains
    assert not any(d.startswith("www.") for d in domains if d)
    assert {"techcrunch.com", "theverge.com", "blog.google", "news.mit.edu"} <= domains
