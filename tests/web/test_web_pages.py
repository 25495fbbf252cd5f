"""The HTML pages: home, event page (every field of the seed page), methods, redirects."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_seed import NOW, seed_many

from pulseaugur.storage.base import Storage
from pulseaugur.web.app import create_app


def text_of(html: str) -> str:
    """The page's visible text with tags removed and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_lists_top_and_newest_with_links(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "PulseAugur" in html
    assert ">Top</h2>" in html
    assert ">Newest</h2>" in html
    for path in ("/cluster/1-openai-releases-gpt-5", "/cluster/2-hong-kong-ai-energy"):
        assert f'href="{path}"' in html
    assert "OpenAI releases GPT-5" in html
    assert "87.5" in html  # score
    assert "3 sources" in html
    assert '<a class="tag" href="/topics/models">models</a>' in html
    assert 'datetime="2025-08-07T09:34:13Z"' in html  # last update of event 1
    assert '<main id="content" tabindex="-1" data-live="/live/events">' in html
    assert '<ol class="events" id="top-events">' in html
    assert 'data-label-new="{n} new"' in html
    assert '<p id="live-new" class="live-new" role="status" hidden></p>' in html
    assert "/cluster/4-" not in html  # no story, not listed
    # Top is ordered by score: GPT-5 (87.5) before Hong Kong (55).
    top = html.split(">Top</h2>")[1].split(">Newest</h2>")[0]
    assert top.index("/cluster/1-") < top.index("/cluster/2-")
    # Newest by last update: the GPT-5 rollout (its storyline folds the release under
    # it), then hostile (1 h ago), then Hong Kong.
    newest = html.split(">Newest</h2>")[1]
    assert newest.index("/cluster/5-") < newest.index("/cluster/1-") < newest.index("/cluster/3-")
    assert newest.index("/cluster/3-") < newest.index("/cluster/2-")
    assert "+1 related" in newest
    assert newest.count('class="event-card"') == 3


def test_home_pages_through_newest(empty_storage: Storage) -> None:
    ids = seed_many(empty_storage, 45)
    client = TestClient(create_app(empty_storage, clock=lambda: NOW))
    seen: list[str] = []
    url = "/"
    for _ in range(10):
        html = client.get(url).text
        newest = html.split(">Newest")[1]
        seen += re.findall(r'href="(/cluster/\d+-[^"]+)"', newest)
        match = re.search(r'href="(/\?cursor=[^"]+)"', newest)
        if match is None:
            break
        url = match.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == len(ids)


def test_home_with_bad_cursor_is_400_html(client: TestClient) -> None:
    response = client.get("/?cursor=nonsense")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "400" in response.text


def test_home_when_empty(empty_storage: Storage) -> None:
    response = TestClient(create_app(empty_storage)).get("/")
    assert response.status_code == 200
    assert "No events yet." in response.text


def test_event_page_shows_every_seed_field(client: TestClient) -> None:
    response = client.get("/cluster/1-openai-releases-gpt-5")
    assert response.status_code == 200
    html = response.text
    text = text_of(html)
    # header: brand, language marker, LIVE and the clock (UTC, server-rendered)
    assert '<a class="brand" href="/">PulseAugur</a>' in html
    assert (
        '<a href="/lang/en?next=/cluster/1-openai-releases-gpt-5" hreflang="en" lang="en" '
        'aria-current="true">EN</a>' in html
    )
    assert 'hreflang="zh-Hans" lang="zh-Hans">中文</a>' in html
    assert "LIVE" in text
    assert (
        '<time id="live-clock" datetime="2025-08-07T13:44:13Z" aria-label="Time now, UTC">'
        "13:44:13</time>" in html
    )
    assert '<script src="/static/live.js" defer></script>' in html
    # landmarks
    for tag in ("<header", "<main", "<footer"):
        assert tag in html
    # headline, summary with citations, tags
    assert "<h1>OpenAI releases GPT-5</h1>" in html
    assert "OpenAI on Thursday released GPT-5, its latest flagship model." in text
    assert "The company calls it its best model for coding and agentic tasks." in text
    assert '<a href="#cov-1" aria-label="source 1">[1]</a>' in html
    assert '<a href="#cov-2" aria-label="source 2">[2]</a>' in html
    assert '<a class="tag" href="/topics/ai">AI</a>' in html
    assert '<a class="tag" href="/topics/models">models</a>' in html
    assert '<a href="/?entity=OpenAI">OpenAI</a>' in html
    # IMPACT, RANK_REASON
    assert "IMPACT Developers and enterprises get a new default frontier model." in text
    assert "RANK_REASON Model release reported by the lab itself and two outlets." in text
    # primary link
    assert (
        '<a id="primary-link" href="https://openai.com/index/introducing-gpt-5/">'
        "Read on OpenAI — News →</a>" in html
    )
    # attribution and the methods link
    assert "Extractive summary from 3 sources" in text
    assert '<a href="/methods/summaries">How we write summaries →</a>' in html
    assert "AI-generated" not in html
    # score and its parts
    assert "SCORE 87.5" in text
    for label, value in (
        ("Authority", "95"),
        ("Cluster strength", "70"),
        ("Headline signal", "80"),
        ("Time decay", "90"),
    ):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    # coverage
    assert "COVERAGE [3]" in text
    coverage = html.split('id="coverage-h"')[1]
    assert (
        coverage.index("OpenAI — News") < coverage.index("SCMP — Tech") < coverage.index("机器之心")
    )
    assert '<span class="tier">TIER_1</span>' in html
    assert '<span class="tier">TIER_2</span>' in html
    assert '<span class="lang">English(EN)</span>' in html
    assert '<span class="lang">Chinese(ZH)</span>' in html
    assert '<span class="authors">Ying Xu, Weishi Zhang</span>' in html
    assert (
        '<a href="https://www.scmp.com/tech/article/3321000/openai-launches-gpt-5">'
        "OpenAI launches GPT-5 as rivalry with Chinese labs heats up</a>" in html
    )
    assert "OpenAI on Thursday released GPT-5, its latest flagship model." in coverage
    # the Chinese item shows its English title, the original marked with its language
    assert (
        '<h3 lang="en"><a href="https://www.jiqizhixin.com/articles/2025-08-08">'
        "OpenAI releases GPT-5" in html
    )
    assert (
        '<span class="translated">Machine-translated title; the original, in Chinese:</span> '
        '<span lang="zh">OpenAI 发布 GPT-5</span>' in html
    )
    assert html.count('class="coverage-item"') == 3
    # the timeline, the storyline and the coverage chart
    timeline = html.split('id="timeline"')[1].split('id="storyline"')[0]
    assert "First report" in timeline
    assert "OpenAI — News had it first" in timeline
    assert "+30 min" in timeline
    assert "SCMP — Tech joined" in timeline
    assert '<svg class="chart steps" id="coverage-chart" role="img"' in timeline
    assert '<title id="coverage-chart-t">Coverage over time</title>' in timeline
    storyline = html.split('id="storyline"')[1].split('id="coverage"')[0]
    assert '<a href="/cluster/5-gpt-5-rollout-glitches">' in storyline
    assert 'aria-current="true"' in storyline


def test_model_written_story_is_labelled_ai_generated(client: TestClient) -> None:
    html = client.get("/cluster/2-hong-kong-ai-energy").text
    text = text_of(html)
    assert "AI-generated summary · gemini-2.5-flash-lite · from 2 sources" in text
    assert "Extractive summary" not in text
    assert "Read on Mastodon — sigmoid.social →" in text
    assert "COVERAGE [2]" in text
    assert "TIER_3" in text


def test_single_source_attribution_is_singular(client: TestClient) -> None:
    text = text_of(client.get("/cluster/3-hostile-event").text)
    assert "Extractive summary from 1 source " in text
    assert "AI-generated" not in text
    assert "XX" in text  # unknown language code comes out upper-cased


@pytest.mark.parametrize(
    "path",
    ["/cluster/1", "/cluster/1-wrong-slug", "/cluster/1-", "/cluster/1-openai-releases-gpt"],
)
def test_wrong_or_missing_slug_redirects_permanently(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["location"] == "/cluster/1-openai-releases-gpt-5"


def test_merged_event_redirects_to_the_survivor(storage: Storage, client: TestClient) -> None:
    from dataclasses import replace

    cluster = storage.get_cluster(2)
    storage.save_cluster(replace(cluster, merged_into=1))
    response = client.get("/cluster/2-hong-kong-ai-energy")
    assert response.status_code == 301
    assert response.headers["location"] == "/cluster/1-openai-releases-gpt-5"


@pytest.mark.parametrize(
    "path",
    ["/cluster/999", "/cluster/999-nothing", "/cluster/abc", "/cluster/4-no-story-yet", "/nope"],
)
def test_unknown_event_is_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "404" in response.text
    assert "Not found" in response.text
    assert "PulseAugur" in response.text  # the site's own page, not a bare body


def test_methods_page(client: TestClient) -> None:
    response = client.get("/methods/summaries")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "<h1>How we write summaries</h1>" in response.text
    assert "extractive" in text
    assert "IMPACT" in text
    assert "RANK_REASON" in text
    assert "no language model is involved" in text


def test_static_files_are_served(client: TestClient) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    js = client.get("/static/live.js")
    assert js.status_code == 200
    assert "live-clock" in js.text
