"""The site in headless chromium: the home page, an event page with every field of the seed
page, live updates over Server-Sent Events, the language switch, the keyboard, and every
page free of console errors and failed requests (see ``conftest.py``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from browser_support import LiveServer, Tab
from playwright.sync_api import expect
from web_seed import add_event, make_item, simple_story

CJK = re.compile(r"[\u3400-\u9fff]")
NAV_LABELS = ["Events", "The Brief", "Pulse", "Topics", "Sources", "Search"]
LIVE_TIMEOUT_MS = 15_000


def cards(tab: Tab, list_id: str) -> list[tuple[str, str, str]]:
    """(event id, link, headline) of each card in ``ol#<list_id>``."""
    found = tab.page.eval_on_selector_all(
        f"ol#{list_id} > li.event-card",
        """els => els.map(li => {
            const a = li.querySelector('h3 a');
            return [li.dataset.eventId || '', a ? a.getAttribute('href') : '',
                    a ? a.textContent.trim() : ''];
        })""",
    )
    return [tuple(card) for card in found]


def test_home_lists_the_events(tab: Tab) -> None:
    tab.visit("/", "home")
    page = tab.page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("h1").count() == 1
    for landmark in ("header", "nav#site-nav", "main#content", "footer"):
        expect(page.locator(landmark).first).to_be_visible()
    expect(page.locator("time#live-clock")).to_be_attached()
    expect(page.locator("main#content")).to_have_attribute("data-live", "/live/events")
    expect(page.locator("#live-new")).to_be_hidden()

    top = cards(tab, "top-events")
    newest = cards(tab, "newest-events")
    assert top, "no events in Top"
    assert newest, "no events in Newest"
    for event_id, href, headline in top + newest:
        assert event_id.isdigit(), event_id
        assert href.startswith(f"/cluster/{event_id}-"), href
        assert headline
    headlines = {headline for _, _, headline in top + newest}
    assert "OpenAI releases GPT-5" in headlines
    assert "Hong Kong's AI ambitions challenged by energy constraints" in headlines
    assert "4" not in {event_id for event_id, _, _ in top + newest}  # no story yet


def test_clicking_an_event_shows_every_seed_field(tab: Tab) -> None:
    tab.visit("/", "home")
    page = tab.page
    with page.expect_navigation():
        page.locator("ol#top-events h3 a", has_text="OpenAI releases GPT-5").first.click()
    assert re.search(r"/cluster/1-[a-z0-9-]+$", page.url), page.url
    tab.screenshot("event")

    event = page.locator("article.event")
    expect(event).to_have_attribute("data-event-id", "1")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("OpenAI releases GPT-5")
    summary = event.locator("p.summary")
    expect(summary).to_contain_text("OpenAI on Thursday released GPT-5, its latest flagship model.")
    expect(summary).to_contain_text("its best model for coding and agentic tasks")
    tags = [t.strip() for t in summary.locator(".tag").all_text_contents()]
    assert "models" in tags, tags

    expect(page.locator("#impact")).to_contain_text("IMPACT")
    expect(page.locator("#impact")).to_contain_text(
        "Developers and enterprises get a new default frontier model."
    )
    expect(page.locator("#rank-reason")).to_contain_text("RANK_REASON")
    expect(page.locator("#rank-reason")).to_contain_text(
        "Model release reported by the lab itself and two outlets."
    )
    primary = page.locator("a#primary-link")
    expect(primary).to_have_attribute("href", "https://openai.com/index/introducing-gpt-5/")
    expect(primary).to_contain_text(re.compile(r"Read on .+→"))
    attribution = page.locator("p.attribution")
    expect(attribution).to_contain_text("from 3 sources")
    expect(attribution.locator("a")).to_contain_text("How we write summaries")

    score = page.locator("section#score")
    expect(score).to_contain_text("87.5")
    for part in ("Authority", "Cluster strength", "Headline signal", "Time decay"):
        expect(score).to_contain_text(part)

    coverage = page.locator("section#coverage")
    expect(coverage.locator("h2")).to_contain_text("COVERAGE [3]")
    items = coverage.locator("li.coverage-item")
    expect(items).to_have_count(3)
    rows = []
    for n in range(3):
        item = items.nth(n)
        for part in (".outlet", ".tier", ".lang", "h3", ".excerpt"):
            expect(item.locator(part).first).not_to_be_empty()
        authors = item.locator(".authors")
        rows.append(
            {
                "outlet": item.locator(".outlet").first.inner_text(),
                "tier": item.locator(".tier").first.inner_text(),
                "lang": item.locator(".lang").first.inner_text(),
                "authors": authors.first.inner_text() if authors.count() else "",
                "title": item.locator("h3").first.inner_text(),
                "excerpt": item.locator(".excerpt").first.inner_text(),
            }
        )
    by_outlet = {row["outlet"].split(" — ")[0].strip(): row for row in rows}
    assert set(by_outlet) == {"OpenAI", "SCMP", "机器之心"}, rows
    lab = by_outlet["OpenAI"]
    assert lab["title"] == "Introducing GPT-5"
    assert "TIER_1" in lab["tier"]
    assert "English(EN)" in lab["lang"]
    assert lab["excerpt"].startswith("We are releasing GPT-5")
    scmp = by_outlet["SCMP"]
    assert scmp["title"] == "OpenAI launches GPT-5 as rivalry with Chinese labs heats up"
    assert "TIER_2" in scmp["tier"]
    assert "Ying Xu" in scmp["authors"]
    assert "Weishi Zhang" in scmp["authors"]
    chinese = by_outlet["机器之心"]
    # the English title where there is one, with the original language marked
    assert chinese["title"] in ("OpenAI releases GPT-5", "OpenAI 发布 GPT-5"), chinese
    assert "Chinese(ZH)" in chinese["lang"]
    assert "OpenAI 周四发布了 GPT-5。" in chinese["excerpt"]
    expect(items.filter(has_text="机器之心")).to_contain_text("OpenAI 发布 GPT-5")

    for section in ("section#timeline", "section#storyline"):
        expect(page.locator(section)).to_be_attached()
    chart = page.locator("svg.chart").first
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("title")).to_have_count(1)


def publish_event(live: LiveServer, cluster_id: int) -> str:
    """Save a new one-source event through the Storage protocol, stamped after the server's
    clock and the wall clock both (so it is newer than any live stream's watermark);
    returns its headline."""
    moment = max(live.clock(), datetime.now(UTC)) + timedelta(seconds=5)
    item = make_item(
        f"live-{cluster_id}",
        "scmp-tech",
        "Anthropic ships Claude with a longer context window",
        "Anthropic released a new Claude model on Thursday.",
        published_at=moment,
    )
    story = simple_story(cluster_id, item, total=70.0)
    add_event(
        live.storage,
        cluster_id,
        "anthropic-ships-claude",
        [item],
        story,
        first_seen=moment,
        last_updated=moment,
    )
    return story.headline


def test_a_new_event_arrives_on_the_open_home_page(tab: Tab, live_server: LiveServer) -> None:
    page = tab.page
    with page.expect_request(lambda req: "/live/events" in req.url, timeout=LIVE_TIMEOUT_MS):
        tab.visit("/", "home-before")
    before = cards(tab, "newest-events")
    assert "50" not in {event_id for event_id, _, _ in before}
    expect(page.locator("#live-new")).to_be_hidden()

    headline = publish_event(live_server, 50)

    fresh = page.locator('ol#newest-events > li.event-card[data-event-id="50"]')
    expect(fresh).to_be_attached(timeout=LIVE_TIMEOUT_MS)
    expect(fresh).to_have_class(re.compile(r"\bfresh\b"))
    expect(fresh.locator("h3 a")).to_have_text(headline)
    expect(fresh.locator("h3 a")).to_have_attribute("href", re.compile(r"^/cluster/50-"))
    assert cards(tab, "newest-events")[0][0] == "50", "the new event is not first in Newest"
    marker = page.locator("#live-new")
    expect(marker).to_be_visible()
    expect(marker).to_contain_text("1 new")
    tab.screenshot("home-after")

    with page.expect_navigation():
        fresh.locator("h3 a").click()
    expect(page.locator("h1")).to_have_text(headline)
    tab.screenshot("new-event")


def test_the_language_switch_changes_the_ui_and_is_remembered(tab: Tab) -> None:
    tab.visit("/", "home-en")
    page = tab.page
    site_nav = page.locator("nav#site-nav a")
    expect(site_nav).to_have_text(NAV_LABELS)
    switch = page.locator("nav#lang-switch")
    expect(switch.locator('a[hreflang="en"]')).to_have_text("EN")
    expect(switch.locator('a[hreflang="en"]')).to_have_attribute("aria-current", "true")
    expect(switch.locator('a[hreflang="zh-Hans"]')).to_have_text("中文")

    with page.expect_navigation():
        switch.locator('a[hreflang="zh-Hans"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    tab.screenshot("home-zh")
    labels = [label.strip() for label in site_nav.all_inner_texts()]
    assert len(labels) == len(NAV_LABELS), labels
    for english, chinese in zip(NAV_LABELS, labels, strict=True):
        assert chinese != english
        assert CJK.search(chinese), (english, chinese)
    expect(switch.locator('a[hreflang="zh-Hans"]')).to_have_attribute("aria-current", "true")
    assert urlsplit(page.url).path == "/", page.url  # back where the switch was used
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("lang") == "zh", cookies

    # remembered: a fresh load of another page is in Chinese too
    tab.visit("/cluster/1", "event-zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("OpenAI releases GPT-5")  # event text stays
    expect(page.locator("#impact")).to_contain_text("IMPACT")
    expect(page.locator("section#coverage h2")).to_contain_text("COVERAGE [3]")
    assert [label.strip() for label in site_nav.all_inner_texts()] == labels
    for path, shot in (
        ("/sources", "sources-zh"),
        ("/brief", "brief-zh"),
        ("/topics", "topics-zh"),
    ):
        tab.visit(path, shot)
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    with page.expect_navigation():
        page.locator('nav#lang-switch a[hreflang="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/topics"), page.url
    expect(site_nav).to_have_text(NAV_LABELS)


def test_tab_reaches_the_skip_link_first(tab: Tab) -> None:
    for path in ("/", "/cluster/1"):
        tab.visit(path, "keyboard")
        page = tab.page
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        expect(focused).to_have_attribute("href", "#content")
        expect(focused).to_be_visible()
        assert focused.inner_text().strip(), "the skip link has no text"
        page.keyboard.press("Enter")
        assert page.url.endswith("#content"), page.url


PAGES = (
    ("/", "home"),
    ("/cluster/1-openai-releases-gpt-5", "event-gpt5"),
    ("/cluster/2-hong-kong-ai-energy", "event-hong-kong"),
    ("/cluster/3-hostile-event", "event-hostile"),
    ("/brief", "brief"),
    ("/pulse", "pulse"),
    ("/topics", "topics"),
    ("/topics/models", "topic-models"),
    ("/sources", "sources"),
    ("/search?q=GPT-5", "search"),
    ("/search?q=nothing-matches-this", "search-empty"),
    ("/methods/summaries", "methods-summaries"),
    ("/methods/clustering", "methods-clustering"),
    ("/methods/ranking", "methods-ranking"),
    ("/?topic=models", "home-topic"),
)


def test_every_page_loads_without_errors(tab: Tab) -> None:
    for path, shot in PAGES:
        tab.visit(path, shot)
        assert tab.page.locator("h1").count() == 1, path
    tab.visit("/cluster/999999-nothing", "not-found", status=404)
    expect(tab.page.locator("h1")).to_have_count(1)
