"""Pulse, topics, sources, search, the entity and topic filters, the language switch and
the error pages (``pulse.py``, ``topics.py``, ``sources_page.py``, ``search.py``,
``pages.py``), over the web seed (see ``web_seed``)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from pulseaugur.web.pages import local_target


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card_ids(html: str, list_id: str) -> list[int]:
    part = html.split(f'id="{list_id}"')[1].split("</ol>")[0]
    return [int(n) for n in re.findall(r'<li class="event-card[^"]*" data-event-id="(\d+)"', part)]


def test_entity_filter_says_so_and_can_be_cleared(client: TestClient) -> None:
    html = client.get("/", params={"entity": "openai"}).text  # case does not matter
    assert "Filtered by entity: openai" in text_of(html)
    assert '<a href="/" id="clear-filter">Clear filter</a>' in html
    assert "data-live" not in html  # the live stream is unfiltered: not on a filtered page
    assert set(card_ids(html, "newest-events")) == {5}  # 1 is folded under 5
    assert "/cluster/2-" not in html


@pytest.mark.parametrize("topic", ["policy", "policy & regulation"])
def test_topic_filter_takes_a_slug_or_a_tag(client: TestClient, topic: str) -> None:
    html = client.get("/", params={"topic": topic}).text
    assert "Filtered by topic: policy &amp; regulation" in html
    assert card_ids(html, "newest-events") == [2]


def test_home_chart_is_inline_svg(client: TestClient) -> None:
    html = client.get("/").text
    chart = html.split('<svg class="chart bars" id="topic-chart"')[1].split("</svg>")[0]
    assert 'role="img"' in chart
    assert '<title id="topic-chart-t">Events by topic, last 48 hours</title>' in chart
    assert '<a href="/topics/models">' in chart
    assert "style=" not in html


def test_pulse_lists_social_events_reranked(client: TestClient) -> None:
    html = client.get("/pulse").text
    assert "<h1>Pulse</h1>" in html
    assert 'id="pulse-ranking"' in html  # the ranking, explained
    # 5 (Hacker News, 812 + 361) and 2 (Mastodon, 45); 1 and 3 have no social post
    assert card_ids(html, "pulse-events") == [5, 2]
    assert "Hacker News" in html
    assert "1173 reactions" in html
    only_mastodon = client.get("/pulse", params={"platform": "mastodon"}).text
    assert card_ids(only_mastodon, "pulse-events") == [2]
    by_topic = client.get("/pulse", params={"topic": "products"}).text
    assert card_ids(by_topic, "pulse-events") == [5]
    assert '<option value="products" selected>products</option>' in by_topic


@pytest.mark.parametrize("query", ["platform=twitter", "topic=cooking"])
def test_pulse_rejects_unknown_filters(client: TestClient, query: str) -> None:
    response = client.get(f"/pulse?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")


def test_topics_index_and_one_topic(client: TestClient) -> None:
    html = client.get("/topics").text
    assert "<h1>Topics</h1>" in html
    assert '<a href="/topics/open-source">open source</a>' in html
    row = html.split('<a href="/topics/models">models</a>')[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row
    assert '<svg class="chart spark" id="spark-models" role="img"' in row
    page = client.get("/topics/models").text
    assert card_ids(page, "topic-events") == [5]  # 1 folded under 5: one storyline
    assert 'href="/topics/models/feed.atom"' in page
    assert client.get("/topics/open source").status_code == 200


def test_unknown_topic_is_404(client: TestClient) -> None:
    response = client.get("/topics/cooking")
    assert response.status_code == 404
    assert "Not found" in response.text


def test_sources_page_shows_tier_kind_and_health(client: TestClient) -> None:
    html = client.get("/sources").text
    assert "<h1>Sources</h1>" in html

    def row(source_id: str) -> str:
        return html.split(f'data-source-id="{source_id}"')[1].split("</tr>")[0]

    assert '<span class="health ok">ok</span>' in row("openai-news")
    assert '<span class="tier">TIER_1</span>' in row("openai-news")
    assert "7 min ago" in row("openai-news")
    assert '<span class="health failing">failing</span>' in row("hostile")
    assert "HTTP 503 from evil.example" in row("hostile")
    assert '<span class="health paused">paused</span>' in row("jiqizhixin")
    assert '<span class="health new">not polled yet</span>' in row("scmp-tech")
    assert "<code>hackernews</code>" in row("hn-frontpage")
    assert "<script>alert" not in html
    # ordered by tier
    assert html.index('data-source-id="openai-news"') < html.index('data-source-id="scmp-tech"')


def test_search(client: TestClient) -> None:
    empty = client.get("/search")
    assert empty.status_code == 200
    assert '<form class="search" role="search" method="get" action="/search">' in empty.text
    assert "Results for" not in empty.text
    html = client.get("/search", params={"q": "Hong Kong energy"}).text
    assert "Results for “Hong Kong energy”" in html
    assert card_ids(html, "search-results") == [2]
    nothing = client.get("/search", params={"q": '"); DROP TABLE --'}).text
    assert "No events match these words." in nothing


def test_language_switch_sets_the_cookie_and_goes_back(client: TestClient) -> None:
    response = client.get("/lang/zh", params={"next": "/pulse?platform=reddit"})
    assert response.status_code == 303
    assert response.headers["location"] == "/pulse?platform=reddit"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=zh;")
    assert "Max-Age=31536000" in cookie
    assert "SameSite=lax" in cookie.replace("samesite", "SameSite")
    assert "Path=/" in cookie
    assert client.get("/lang/fr").status_code == 404


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/cluster/1-x?a=b", "/cluster/1-x?a=b"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
        ("/a\r\nSet-Cookie: x", "/"),
    ],
)
def test_language_switch_only_returns_to_local_paths(target: str | None, safe: str) -> None:
    assert local_target(target) == safe


def test_chinese_ui(client: TestClient) -> None:
    client.cookies.set("lang", "zh")
    html = client.get("/").text
    assert '<html lang="zh-Hans">' in html
    assert ">热门</h2>" in html
    assert ">最新</h2>" in html
    assert 'data-label-new="{n} 条新动态"' in html
    assert "3 个来源" in html
    assert "30 分钟前" in html
    assert 'hreflang="zh-Hans" lang="zh-Hans" aria-current="true">中文</a>' in html
    event = client.get("/cluster/2-hong-kong-ai-energy").text
    assert '<strong class="label">IMPACT</strong>' in event  # the seed tokens stay
    assert "COVERAGE</span> [2]" in event
    assert "TIER_3" in event
    assert "AI 生成的摘要 · gemini-2.5-flash-lite · 来自 2 个来源" in text_of(event)
    assert "社交反应 · 31 次收藏 · 14 次转嘟" in event
    error = client.get("/nope")
    assert error.status_code == 404
    assert "未找到" in error.text
    assert "此地址没有内容。" in error.text


def test_accept_language_picks_chinese(client: TestClient) -> None:
    html = client.get("/sources", headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert "<h1>来源</h1>" in html
    assert '<span class="health failing">出错</span>' in html


def test_error_pages_help_the_reader(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.text
    assert html.count("<h1") == 1
    assert 'id="site-nav"' in html
    assert 'action="/search"' in html
    assert "There is nothing at this address." in html


def test_event_page_reactions_and_storyline(client: TestClient) -> None:
    html = client.get("/cluster/5-gpt-5-rollout-glitches").text
    reactions = html.split('id="reactions"')[1].split("</section>")[0]
    assert "Reaction · 812 points · 361 comments" in reactions
    assert "Hacker News had it first" in html  # in the timeline
    assert "Reaction on" not in html  # the first report is not a reaction to anything
    storyline = html.split('id="storyline"')[1].split("</section>")[0]
    assert storyline.index("/cluster/1-openai-releases-gpt-5") < storyline.index("this event")
    lone = client.get("/cluster/2-hong-kong-ai-energy").text
    assert "No related events yet" in lone


PAGES = [
    "/",
    "/?entity=OpenAI",
    "/cluster/1-openai-releases-gpt-5",
    "/cluster/5-gpt-5-rollout-glitches",
    "/cluster/3-hostile-event",
    "/pulse",
    "/topics",
    "/topics/models",
    "/sources",
    "/search",
    "/search?q=GPT",
    "/brief",
    "/methods/summaries",
    "/nope",
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_keeps_the_dom_contract(client: TestClient, path: str, lang: str) -> None:
    client.cookies.set("lang", lang)
    html = client.get(path).text
    assert html.count("<h1") == 1
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"
    for needle in (
        '<a class="brand" href="/">',
        'id="lang-switch"',
        'id="site-nav"',
        'id="live-clock"',
        '<main id="content"',
        "<footer",
    ):
        assert needle in html
    for moment in re.findall(r'datetime="([^"]+)"', html):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\dZ)?", moment), moment
    assert "style=" not in html
    assert "<script>" not in html
