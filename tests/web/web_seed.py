"""Records for the web tests, written through the Storage protocol's write methods.

The seeded events (newest first):

    5  GPT-5 rollout complaints: Hacker News thread + SCMP         2 sources, storyline 7
    3  hostile markup in every feed field (escaping tests)        extractive, 1 source
    2  Hong Kong AI energy (the seed page), written by a model    2 sources (one Mastodon post)
    1  OpenAI GPT-5 release: lab blog + SCMP + a Chinese outlet   extractive, 3 sources,
                                                                  storyline 7
    4  a cluster with no story yet (must 404)

Events 1 and 5 form storyline 7. Social posts (the Mastodon post of 2, the Hacker News
thread of 5) carry engagement in ``raw_json``; the Chinese item of 1 has a ``title_en``.
Source states: OpenAI polled fine, the hostile feed failing, Synced paused.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from pulseaugur.storage.base import Storage
from pulseaugur.types import (
    Cluster,
    Item,
    ScoreParts,
    Source,
    SourceState,
    Story,
    SummarySentence,
)

NOW = datetime(2025, 8, 7, 13, 44, 13, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"
STORYLINE = 7

SOURCES = (
    Source(
        id="openai-news",
        kind="feed",
        url="https://openai.com/news/rss.xml",
        name="OpenAI News",
        outlet="OpenAI",
        section="News",
        tier=1,
        domains=("openai.com",),
        primary=True,
    ),
    Source(
        id="scmp-tech",
        kind="feed",
        url="https://www.scmp.com/rss/36/feed",
        name="SCMP Tech",
        outlet="SCMP",
        section="Tech",
        tier=2,
        domains=("scmp.com",),
    ),
    Source(
        id="mastodon-sigmoid",
        url="https://sigmoid.social/tags/AI.rss",
        name="sigmoid.social #AI",
        outlet="Mastodon",
        section="sigmoid.social",
        tier=3,
        kind="mastodon",
    ),
    Source(
        id="hn-frontpage",
        kind="hackernews",
        url="https://hn.algolia.com/api/v1/search?tags=front_page",
        name="Hacker News front page",
        outlet="Hacker News",
        section=None,
        tier=3,
    ),
    Source(
        id="jiqizhixin",
        kind="feed",
        url="https://www.jiqizhixin.com/rss",
        name="Synced (机器之心)",
        outlet="机器之心",
        section=None,
        tier=2,
        languages=("zh",),
    ),
    Source(
        id="hostile",
        kind="feed",
        url="https://evil.example/feed.xml",
        name="Hostile",
        outlet=f"Evil {HOSTILE}",
        section=None,
        tier=3,
    ),
)


def make_item(
    item_id: str,
    source_id: str,
    title: str,
    excerpt: str,
    *,
    published_at: datetime,
    authors: tuple[str, ...] = (),
    lang: str = "en",
    url: str | None = None,
    title_en: str | None = None,
    raw_json: dict[str, object] | None = None,
) -> Item:
    url = url if url is not None else f"https://{source_id}.example/{item_id}"
    return Item(
        id=item_id,
        source_id=source_id,
        guid=url,
        url_original=url,
        canonical_url=url if url.startswith("http") else None,
        title=title,
        title_en=title if title_en is None and lang == "en" else (title_en or ""),
        body=excerpt + " More text follows here.",
        excerpt=excerpt,
        authors=authors,
        lang=lang,
        published_at=published_at,
        fetched_at=published_at + timedelta(seconds=40),
        content_hash=hashlib.sha256(item_id.encode()).hexdigest(),
        raw_json=raw_json if raw_json is not None else {"id": item_id},
    )


def add_event(
    storage: Storage,
    cluster_id: int,
    slug: str,
    items: list[Item],
    story: Story | None,
    *,
    first_seen: datetime,
    last_updated: datetime,
    storyline_id: int | None = None,
) -> None:
    for item in items:
        outcome = storage.add_item(item)
        assert outcome.status == "stored", outcome
    storage.save_cluster(
        Cluster(
            id=cluster_id,
            slug=slug,
            first_seen=first_seen,
            last_updated=last_updated,
            item_count=len(items),
            source_count=len({i.source_id for i in items}),
            storyline_id=storyline_id,
        )
    )
    for item in items:
        assert storage.add_membership(cluster_id, item.id, 0.8)
    if story is not None:
        storage.save_story(story)


def simple_story(cluster_id: int, item: Item, *, total: float = 40.0) -> Story:
    return Story(
        cluster_id=cluster_id,
        headline=f"Event {cluster_id}: {item.title}",
        summary=(SummarySentence(item.excerpt, (item.id,)),),
        impact="Minor.",
        rank_reason="Single-source report.",
        tags=("AI",),
        event_type="news",
        score=ScoreParts(50.0, 20.0, 30.0, 90.0, total),
        primary_item_id=item.id,
        summarizer="extractive",
        source_count=1,
        coverage_item_ids=(item.id,),
    )


def seed(storage: Storage) -> None:
    storage.sync_sources(SOURCES)
    t1 = NOW - timedelta(hours=5)
    gpt_items = [
        make_item(
            "openai-gpt5",
            "openai-news",
            "Introducing GPT-5",
            "We are releasing GPT-5, our best model for coding and agentic tasks.",
            published_at=t1,
            url="https://openai.com/index/introducing-gpt-5/",
        ),
        make_item(
            "scmp-gpt5",
            "scmp-tech",
            "OpenAI launches GPT-5 as rivalry with Chinese labs heats up",
            "OpenAI on Thursday released GPT-5, its latest flagship model.",
            published_at=t1 + timedelta(minutes=30),
            authors=("Ying Xu", "Weishi Zhang"),
            url="https://www.scmp.com/tech/article/3321000/openai-launches-gpt-5",
        ),
        make_item(
            "jqzx-gpt5",
            "jiqizhixin",
            "OpenAI 发布 GPT-5",
            "OpenAI 周四发布了 GPT-5。",
            published_at=t1 + timedelta(minutes=50),
            lang="zh",
            title_en="OpenAI releases GPT-5",
            url="https://www.jiqizhixin.com/articles/2025-08-08",
        ),
    ]
    add_event(
        storage,
        1,
        "openai-releases-gpt-5",
        gpt_items,
        Story(
            cluster_id=1,
            headline="OpenAI releases GPT-5",
            summary=(
                SummarySentence(
                    "OpenAI on Thursday released GPT-5, its latest flagship model.",
                    ("scmp-gpt5", "openai-gpt5"),
                ),
                SummarySentence(
                    "The company calls it its best model for coding and agentic tasks.",
                    ("openai-gpt5",),
                ),
            ),
            impact="Developers and enterprises get a new default frontier model.",
            rank_reason="Model release reported by the lab itself and two outlets.",
            tags=("AI", "models"),
            event_type="model_release",
            score=ScoreParts(
                authority=95.0,
                cluster_strength=70.0,
                headline_signal=80.0,
                time_decay=90.0,
                total=87.5,
            ),
            primary_item_id="openai-gpt5",
            summarizer="extractive",
            source_count=3,
            coverage_item_ids=("openai-gpt5", "scmp-gpt5", "jqzx-gpt5"),
            entities=("OpenAI", "GPT-5"),
        ),
        first_seen=t1,
        last_updated=t1 + timedelta(minutes=50),
        storyline_id=STORYLINE,
    )

    t2 = NOW - timedelta(hours=2)
    hk_items = [
        make_item(
            "scmp-hk",
            "scmp-tech",
            "For Hong Kong to succeed in AI, energy cannot be an afterthought",
            "The artificial intelligence competition is by nature an energy competition.",
            published_at=t2,
            authors=("Ying Xu", "Weishi Zhang"),
        ),
        make_item(
            "masto-hk",
            "mastodon-sigmoid",
            "Opinion | For Hong Kong to succeed in AI, energy cannot be an afterthought",
            "Opinion | For Hong Kong to succeed in AI #AI #HongKong",
            published_at=t2 + timedelta(minutes=10),
            authors=("[email protected]",),
            raw_json={"id": "masto-hk", "engagement": {"reblogs": 14, "favourites": 31}},
        ),
    ]
    add_event(
        storage,
        2,
        "hong-kong-ai-energy",
        hk_items,
        Story(
            cluster_id=2,
            headline="Hong Kong's AI ambitions challenged by energy constraints",
            summary=(
                SummarySentence(
                    "Hong Kong is positioning itself as a global AI hub.", ("scmp-hk",)
                ),
            ),
            impact="Highlights the need for energy infrastructure planning to support AI growth.",
            rank_reason="Opinion piece discussing policy implications of AI development.",
            tags=("compute & energy", "policy & regulation"),
            event_type="opinion",
            score=ScoreParts(60.0, 40.0, 30.0, 95.0, 55.0),
            primary_item_id="masto-hk",
            summarizer="gemini-2.5-flash-lite",
            source_count=2,
            coverage_item_ids=("scmp-hk", "masto-hk"),
            entities=("Hong Kong", "Greater Bay Area"),
        ),
        first_seen=t2,
        last_updated=t2 + timedelta(minutes=10),
    )

    t3 = NOW - timedelta(hours=1)
    evil = make_item(
        "evil-1",
        "hostile",
        HOSTILE,
        f'excerpt {HOSTILE} <img src=x onerror="alert(2)">',
        published_at=t3,
        authors=(f"Mallory {HOSTILE}",),
        lang="xx",
        url="javascript:alert(3)",
    )
    add_event(
        storage,
        3,
        "hostile-event",
        [evil],
        Story(
            cluster_id=3,
            headline=f"Headline {HOSTILE}",
            summary=(SummarySentence(f"Summary {HOSTILE}", ("evil-1",)),),
            impact=f"Impact {HOSTILE}",
            rank_reason=f"Reason {HOSTILE}",
            tags=(HOSTILE,),
            event_type="news",
            score=ScoreParts(10.0, 10.0, 10.0, 90.0, 12.0),
            primary_item_id="evil-1",
            summarizer="extractive",
            source_count=1,
            coverage_item_ids=("evil-1",),
        ),
        first_seen=t3,
        last_updated=t3,
    )

    t5 = NOW - timedelta(minutes=45)
    rollout_items = [
        make_item(
            "hn-gpt5-rollout",
            "hn-frontpage",
            "GPT-5 rollout leaves users stuck on the old model",
            "Users report that the GPT-5 rollout routed them to older models.",
            published_at=t5,
            authors=("throwaway42",),
            url="https://news.ycombinator.com/item?id=44820000",
            raw_json={
                "id": "hn-gpt5-rollout",
                "engagement": {"points": 812, "comments": 361},
            },
        ),
        make_item(
            "scmp-gpt5-rollout",
            "scmp-tech",
            "OpenAI says GPT-5 rollout glitches are being fixed",
            "OpenAI said on Friday that glitches in the GPT-5 rollout are being fixed.",
            published_at=t5 + timedelta(minutes=15),
            authors=("Ying Xu",),
        ),
    ]
    add_event(
        storage,
        5,
        "gpt-5-rollout-glitches",
        rollout_items,
        Story(
            cluster_id=5,
            headline="GPT-5 rollout glitches frustrate users",
            summary=(
                SummarySentence(
                    "OpenAI said on Friday that glitches in the GPT-5 rollout are being fixed.",
                    ("scmp-gpt5-rollout",),
                ),
                SummarySentence(
                    "Users report that the GPT-5 rollout routed them to older models.",
                    ("hn-gpt5-rollout",),
                ),
            ),
            impact="ChatGPT users may see older models until the fix lands.",
            rank_reason="Follow-up to a model release, with a busy Hacker News thread.",
            tags=("models", "products"),
            event_type="news",
            score=ScoreParts(50.0, 50.0, 40.0, 98.0, 61.0),
            primary_item_id="scmp-gpt5-rollout",
            summarizer="extractive",
            source_count=2,
            coverage_item_ids=("scmp-gpt5-rollout", "hn-gpt5-rollout"),
            entities=("OpenAI", "GPT-5", "ChatGPT"),
        ),
        first_seen=t5,
        last_updated=t5 + timedelta(minutes=15),
        storyline_id=STORYLINE,
    )

    storage.save_source_state(SourceState("openai-news", last_ok_at=NOW - timedelta(minutes=7)))
    storage.save_source_state(
        SourceState(
            "hostile",
            last_ok_at=NOW - timedelta(days=1),
            last_error="HTTP 503 from evil.example",
            last_error_at=NOW - timedelta(minutes=12),
            consecutive_failures=4,
            failing_since=NOW - timedelta(hours=3),
        )
    )
    storage.save_source_state(
        SourceState(
            "jiqizhixin",
            last_ok_at=NOW - timedelta(days=4),
            last_error="connection refused",
            last_error_at=NOW - timedelta(days=1),
            consecutive_failures=40,
            failing_since=NOW - timedelta(days=4),
            paused_reason="failing for 3 days",
        )
    )

    t4 = NOW - timedelta(minutes=20)
    add_event(
        storage,
        4,
        "no-story-yet",
        [
            make_item(
                "openai-pending",
                "openai-news",
                "A pending post",
                "Not summarized yet.",
                published_at=t4,
            )
        ],
        None,
        first_seen=t4,
        last_updated=t4,
    )


def seed_many(storage: Storage, count: int, *, first_id: int = 100) -> list[int]:
    """``count`` single-source events, all with stories; returns their ids."""
    storage.sync_sources(SOURCES)
    ids = []
    for n in range(count):
        cluster_id = first_id + n
        moment = NOW - timedelta(days=2, minutes=n * 7)
        item = make_item(
            f"bulk-{cluster_id}",
            "scmp-tech",
            f"Bulk story number {n}",
            f"Excerpt of bulk story {n}.",
            published_at=moment,
        )
        add_event(
            storage,
            cluster_id,
            f"bulk-story-{n}",
            [item],
            simple_story(cluster_id, item, total=float(n % 50)),
            first_seen=moment,
            last_updated=moment,
        )
        ids.append(cluster_id)
    return ids
