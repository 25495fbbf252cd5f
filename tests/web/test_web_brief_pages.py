"""The Brief's pages: the latest edition, an edition by date, the empty state, 404s and
400s with the site's error page, escaping, and merged events linking through their
redirect."""

from __future__ import annotations

from datetime import timedelta

import pytest
from brief_seed import seed_briefs
from fastapi.testclient import TestClient
from web_seed import NOW

from pulseaugur.storage.base import Storage


def test_no_edition_yet_says_so(client: TestClient) -> None:
    response = client.get("/brief")
    assert response.status_code == 200
    assert "No edition of the Brief has been published yet" in response.text
    assert 'href="/brief/feed.atom"' in response.text


def test_latest_edition(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    response = client.get("/brief")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "Thursday 7 August 2025" in page
    assert '<link rel="canonical" href="/brief/2025-08-07">' in page
    first = page.index('href="/cluster/1-openai-releases-gpt-5">OpenAI releases GPT-5</a>')
    second = page.index('href="/cluster/2-hong-kong-ai-energy">')
    assert first < second, "rank order"
    assert '<span class="rank" aria-hidden="true">1</span>' in page
    assert "OpenAI on Thursday released GPT-5, its latest flagship model." in page
    assert "3 sources" in page
    assert ">87.5</span>" in page
    assert "Aug 7, 2025 06:00 UTC" in page  # the window's end
    assert 'rel="prev" href="/brief/2025-08-06"' in page
    assert 'rel="next"' not in page


def test_edition_by_date(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    response = client.get("/brief/2025-08-06")
    assert response.status_code == 200
    assert "Wednesday 6 August 2025" in response.text
    assert 'rel="next" href="/brief/2025-08-07"' in response.text
    assert client.head("/brief/2025-08-06").status_code == 200


def test_hostile_text_is_escaped(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    page = client.get("/brief/2025-08-06").text
    assert "<script>alert(1)</script>" not in page
    assert "Headline &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page.replace('<script src="/static/live.js" defer></script>', "")


def test_absent_edition_is_a_404_page(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    response = client.get("/brief/2025-08-05")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/brief/2025-02-30", 400),
        ("/brief/2025-13-01", 400),
        ("/brief/2025-8-6", 404),
        ("/brief/yesterday", 404),
        ("/brief/2025-08-06x", 404),
    ],
)
def test_malformed_dates(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")


def test_a_merged_event_links_through_its_redirect(client: TestClient, storage: Storage) -> None:
    seed_briefs(storage)
    storage.merge_clusters(2, 1, NOW + timedelta(minutes=5))
    page = client.get("/brief/2025-08-07").text
    assert "Hong Kong&#39;s AI ambitions challenged by energy constraints" in page
    link = "/cluster/2-hong-kong-ai-energy"
    assert f'href="{link}"' in page
    followed = client.get(link)
    assert followed.status_code == 301
    assert followed.headers["location"] == "/cluster/1-openai-releases-gpt-5"
