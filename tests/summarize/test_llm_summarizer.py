"""The LLM summarizer against a real OpenAI-compatible server on 127.0.0.1.

The server (``support.serve_api``) speaks the chat-completions protocol over HTTP in a
thread; what it answers depends on the ``model`` asked for, so each test picks a
behaviour: a good answer, malformed JSON, a schema violation, an ungrounded fact,
429s, 5xx, slowness. The event is the GPT-5 launch as three outlets covered it
(2025-08-07; texts abridged from the originals).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from pulseaugur.cluster.online import OnlineClusterer
from pulseaugur.config import Settings, load_settings
from pulseaugur.errors import ConfigError
from pulseaugur.pipeline.pipeline import Pipeline
from pulseaugur.storage import open_storage
from pulseaugur.summarize import ExtractiveSummarizer, attribution
from pulseaugur.summarize.answer import schema_errors, story_schema
from pulseaugur.summarize.llm import (
    MAX_ATTEMPTS,
    SYSTEM_PROMPT,
    LlmSummarizer,
    content_key,
    summarizer_from_settings,
)
from pulseaugur.types import CoverageEntry, Story
from pulseaugur.web.app import create_app

from coverage_factories import T0, cluster, entry, source
from support import Reply, Server, chat_completion, closed_port, serve_api

SECRET = "sk-test-41c9-never-log-me"
NOW = T0 + timedelta(hours=2)
LOGGER = "pulseaugur.summarize.llm"

LAB = source("openai-news", tier=1, primary=True, outlet="OpenAI")
TC = source("techcrunch", tier=1, outlet="TechCrunch")
VERGE = source("the-verge", tier=1, outlet="The Verge")
WIRED = source("wired", tier=2, outlet="Wired")


def launch() -> list[CoverageEntry]:
    """The GPT-5 launch: OpenAI's post, TechCrunch and The Verge."""
    return [
        entry(
            "openai-1",
            LAB,
            title="Introducing GPT-5",
            body="We are introducing GPT-5, our best AI system yet. GPT-5 is a significant "
            "leap in intelligence over all our previous models, featuring state-of-the-art "
            "performance across coding, math, writing, health, visual perception, and more. "
            "It is available to all ChatGPT users starting today, with Plus and Pro "
            "subscribers getting higher usage limits.",
        ),
        entry(
            "tc-1",
            TC,
            minutes=20,
            title="OpenAI's GPT-5 is here",
            body="OpenAI released GPT-5 on Thursday, a new flagship model that the company "
            "says is its smartest yet. The model will be the default in ChatGPT, including "
            "for free users. OpenAI CEO Sam Altman called it a significant step toward AGI.",
        ),
        entry(
            "verge-1",
            VERGE,
            minutes=35,
            title="OpenAI launches GPT-5 to all ChatGPT users",
            body="GPT-5 is rolling out to 700 million weekly ChatGPT users, OpenAI says. "
            "Developers can access it through the API in three sizes: gpt-5, gpt-5-mini and "
            "gpt-5-nano.",
        ),
    ]


def event(entries: list[CoverageEntry], cluster_id: int = 7) -> tuple[Any, list[CoverageEntry]]:
    last = max(e.item.published_at for e in entries)
    return cluster(cluster_id=cluster_id, last_updated=last), entries


# ---- the server -------------------------------------------------------------------------


def user_message(payload: Any) -> Any:
    """The event as the summarizer described it to the model."""
    return json.loads(payload["messages"][-1]["content"])


def good_answer(payload: Any) -> dict[str, Any]:
    """What a careful model writes: every fact from the items or the coverage record."""
    message = user_message(payload)
    ids = {item["outlet"]: item["id"] for item in message["items"]}
    sources = message["coverage"]["sources"]
    return {
        "headline": "OpenAI releases GPT-5 to all ChatGPT users",
        "summary": [
            {
                "text": "OpenAI released GPT-5, which it calls its best AI system yet, with "
                "gains in coding, math and writing",
                "cites": [ids["OpenAI"], ids["TechCrunch"]],
            },
            {
                "text": "GPT-5 is rolling out to 700 million weekly ChatGPT users, and "
                "developers get it through the API in three sizes.",
                "cites": [ids["The Verge"]],
            },
            {
                "text": "OpenAI CEO Sam Altman called it a significant step toward AGI.",
                "cites": [ids["TechCrunch"]],
            },
        ],
        "impact": "Developers who build on OpenAI models get a new default model in ChatGPT "
        "and the API.",
        "rank_reason": f"A model release covered by {sources} sources, led by the original "
        "from OpenAI.",
        "tags": ["models", "products"],
        "event_type": "launch",
    }


USAGE = {"prompt_tokens": 900, "completion_tokens": 250, "total_tokens": 1150}


def answer(content: str, usage: dict[str, int] | None = USAGE) -> Reply:
    return Reply(200, chat_completion(content, usage))


def chat_server(path: str, payload: Any) -> Reply:
    """An OpenAI-compatible server whose ``model`` chooses how it (mis)behaves."""
    if path != "/v1/chat/completions":
        return Reply(404, {"error": {"message": f"no route {path}"}})
    model = payload["model"]
    good = good_answer(payload)
    if model == "good":
        return answer(json.dumps(good))
    if model == "fenced":
        return answer("<think>Three items.</think>\n```json\n" + json.dumps(good) + "\n```")
    if model == "no-usage":
        return answer(json.dumps(good), usage=None)
    if model == "big-usage":
        return answer(json.dumps(good), usage={"total_tokens": 10_000})
    if model == "strict":  # refuses json_schema output, takes json_object
        kind = payload.get("response_format", {}).get("type")
        if kind == "json_schema":
            return Reply(400, {"error": {"message": "json_schema is not supported"}})
        return answer(json.dumps(good))
    if model == "malformed":
        return answer('{"headline": "OpenAI releases GPT-5", "summary": [{"text": "Open')
    if model == "prose":
        return answer("OpenAI released GPT-5 today. It is their best model.")
    if model == "no-choices":
        return Reply(200, {"object": "chat.completion", "choices": []})
    if model == "too-many-sentences":
        good["summary"] = good["summary"] * 2
        return answer(json.dumps(good))
    if model == "unknown-tag":
        good["tags"] = ["models", "gossip"]
        return answer(json.dumps(good))
    if model == "bad-cite":
        good["summary"][0]["cites"] = [99]
        return answer(json.dumps(good))
    if model == "extra-key":
        good["confidence"] = "high"
        return answer(json.dumps(good))
    if model == "long-headline":
        good["headline"] = "OpenAI releases GPT-5 " + "to all ChatGPT users " * 6
        return answer(json.dumps(good))
    if model == "bad-type":
        good["event_type"] = "product launch"
        return answer(json.dumps(good))
    if model == "ungrounded-number":
        good["summary"][1]["text"] = "GPT-5 reaches 900 million weekly ChatGPT users."
        return answer(json.dumps(good))
    if model == "ungrounded-name":
        good["impact"] = "Microsoft gains a new model for its Copilot products."
        return answer(json.dumps(good))
    if model == "ungrounded-quote":
        good["summary"][2]["text"] = 'Sam Altman said GPT-5 is "like talking to an expert".'
        return answer(json.dumps(good))
    raise AssertionError(model)


def make(server_url: str, model: str = "good", **kw: Any) -> LlmSummarizer:
    kw.setdefault("timeout_s", 5)
    kw.setdefault("backoff_s", 0.01)
    return LlmSummarizer(server_url + "/v1", model, **kw)


@pytest.fixture
def server() -> Iterator[Server]:
    with serve_api(chat_server) as running:
        yield running


def summarize(summarizer: LlmSummarizer, entries: list[CoverageEntry], cid: int = 7) -> Story:
    c, e = event(entries, cid)
    return summarizer.summarize(c, e, NOW)


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# ---- a good answer ----------------------------------------------------------------------


def test_good_answer_is_the_story(server: Server) -> None:
    summarizer = make(server.url, "good", api_key=SECRET)
    story = summarize(summarizer, launch())

    assert story.summarizer == "good"
    assert attribution(story) == "AI-generated summary · good · from 3 sources"
    assert story.headline == "OpenAI releases GPT-5 to all ChatGPT users"
    assert [s.item_ids for s in story.summary] == [("openai-1", "tc-1"), ("verge-1",), ("tc-1",)]
    assert story.summary[0].text.endswith("math and writing.")  # finished as a sentence
    assert story.impact.startswith("Developers who build on OpenAI models")
    assert story.rank_reason.startswith("A model release covered by 3 sources")
    assert story.tags == ("models", "products")
    assert story.event_type == "launch"
    assert story.primary_item_id == "openai-1"
    assert story.coverage_item_ids == ("openai-1", "tc-1", "verge-1")
    extractive = ExtractiveSummarizer().summarize(*event(launch()), NOW)
    assert story.score == extractive.score  # same event type: same score

    [request] = server.seen
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    body = request.body
    assert body["model"] == "good"
    assert body["temperature"] == 0
    assert body["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    schema = body["response_format"]["json_schema"]["schema"]
    assert body["response_format"]["type"] == "json_schema"
    assert schema == story_schema(3)
    message = json.loads(body["messages"][1]["content"])
    assert [i["outlet"] for i in message["items"]] == ["OpenAI", "TechCrunch", "The Verge"]
    assert message["items"][0]["original"] is True
    assert message["coverage"]["sources"] == 3
    assert "launch" in message["event_types_allowed"]
    assert summarizer.budget.spent == USAGE["total_tokens"]


def test_answer_in_fences_after_thinking_is_read(server: Server) -> None:
    story = summarize(make(server.url, "fenced"), launch())
    assert story.summarizer == "fenced"


def test_server_refusing_json_schema_is_asked_with_json_object(server: Server) -> None:
    summarizer = make(server.url, "strict")
    first = summarize(summarizer, launch())
    second = summarize(summarizer, [*launch(), entry("wired-1", WIRED, minutes=50)], cid=8)
    assert first.summarizer == second.summarizer == "strict"
    formats = [r.body.get("response_format", {}).get("type") for r in server.seen]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_model_event_type_rescores(server: Server) -> None:
    def opinion(path: str, payload: Any) -> Reply:
        good = good_answer(payload)
        good["event_type"] = "opinion"
        return answer(json.dumps(good))

    with serve_api(opinion) as srv:
        story = summarize(make(srv.url, "m"), launch())
    extractive = ExtractiveSummarizer().summarize(*event(launch()), NOW)
    assert story.event_type == "opinion"
    assert story.score.headline_signal < extractive.score.headline_signal


# ---- bad answers fall back ----------------------------------------------------------------


def assert_extractive(story: Story) -> None:
    expected = ExtractiveSummarizer().summarize(*event(launch()), NOW)
    assert story == expected
    assert story.summarizer == "extractive"
    assert attribution(story) == "Extractive summary from 3 sources"


MALFORMED = "malformed answer: no JSON object in the answer"
SCHEMA = "the answer breaks the schema: "
UNGROUNDED = "ungrounded facts (in no source): "


@pytest.mark.parametrize(
    ("model", "why"),
    [
        ("malformed", MALFORMED),
        ("prose", MALFORMED),
        ("no-choices", MALFORMED + " (empty body)"),
        ("too-many-sentences", SCHEMA + "$.summary: 6 items, at most 4 allowed"),
        ("unknown-tag", SCHEMA + '$.tags[1]: "gossip" is not allowed'),
        ("bad-cite", SCHEMA + "$.summary[0].cites[0]: 99 is not allowed"),
        ("extra-key", SCHEMA + "$: 'confidence' is not allowed"),
        ("long-headline", SCHEMA + "$.headline: 147 characters, at most 110 allowed"),
        ("bad-type", SCHEMA + '$.event_type: "product launch" is not allowed'),
        ("ungrounded-number", UNGROUNDED + "900"),
        ("ungrounded-name", UNGROUNDED + "Microsoft"),
        ("ungrounded-quote", UNGROUNDED + '"like talking to an expert"'),
    ],
)
def test_bad_answer_falls_back_to_the_labelled_extractive_story(
    server: Server, model: str, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Malformed JSON, a schema violation or an ungrounded fact: the extractive story,
    and one warning naming the event, the model and the reason."""
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        story = summarize(make(server.url, model), launch())
    assert_extractive(story)
    [warning] = warnings_of(caplog)
    assert f"event 7: extractive summary instead of {model}: {why}" in warning


# ---- transport ----------------------------------------------------------------------------


def test_dead_endpoint_falls_back_within_the_timeout(caplog: pytest.LogCaptureFixture) -> None:
    summarizer = LlmSummarizer(f"http://127.0.0.1:{closed_port()}/v1", "good", timeout_s=2)
    started = time.monotonic()
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        story = summarize(summarizer, launch())
        again = summarize(summarizer, launch(), cid=8)  # resting: not even tried
    assert time.monotonic() - started < 2
    assert_extractive(story)
    assert again.summarizer == "extractive"
    assert summarizer.requests == 1  # a refused connection is not retried
    [warning] = warnings_of(caplog)
    assert "is unavailable (request failed" in warning
    assert "not asked again for 60 s" in warning


def test_slow_server_falls_back_after_retries_within_their_timeouts() -> None:
    def slow(path: str, payload: Any) -> Reply:
        return Reply(200, chat_completion(json.dumps(good_answer(payload))), delay_s=10)

    with serve_api(slow) as srv:
        summarizer = make(srv.url, "slow", timeout_s=0.3)
        started = time.monotonic()
        story = summarize(summarizer, launch())
        elapsed = time.monotonic() - started
    assert_extractive(story)
    assert len(srv.seen) == MAX_ATTEMPTS  # timeouts are retried
    assert elapsed < MAX_ATTEMPTS * 0.3 + 2


def test_429_then_success_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def limited(path: str, payload: Any) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(429, {"error": {"message": "rate limited"}}, headers={"Retry-After": "0"})
        return chat_server(path, payload)

    with serve_api(limited) as srv, caplog.at_level(logging.INFO, logger=LOGGER):
        story = summarize(make(srv.url, "good"), launch())
    assert story.summarizer == "good"
    assert len(srv.seen) == 2
    assert any(
        "HTTP 429" in r.getMessage() and "asking again" in r.getMessage() for r in caplog.records
    )


def test_5xx_every_time_falls_back_after_max_attempts(caplog: pytest.LogCaptureFixture) -> None:
    def broken(path: str, payload: Any) -> Reply:
        return Reply(503, {"error": "overloaded"})

    with serve_api(broken) as srv, caplog.at_level(logging.WARNING, logger=LOGGER):
        summarizer = make(srv.url, "m")
        story = summarize(summarizer, launch())
        summarize(summarizer, launch(), cid=8)  # resting after the failure
    assert_extractive(story)
    assert len(srv.seen) == MAX_ATTEMPTS
    [warning] = warnings_of(caplog)
    assert "HTTP 503" in warning


def test_misconfiguration_falls_back_and_names_the_settings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(path: str, payload: Any) -> Reply:
        return Reply(401, {"error": {"message": "invalid api key"}})

    with serve_api(refuse) as srv, caplog.at_level(logging.WARNING, logger=LOGGER):
        story = summarize(make(srv.url, "m", api_key=SECRET), launch())
    assert_extractive(story)
    assert len(srv.seen) == 1
    [warning] = warnings_of(caplog)
    assert "misconfigured (HTTP 401" in warning
    assert "summarizer_api_key" in warning


# ---- cache and material change --------------------------------------------------------------


def test_unchanged_content_is_never_sent_twice(server: Server) -> None:
    summarizer = make(server.url, "good")
    first = summarize(summarizer, launch())
    second = summarize(summarizer, launch())
    assert first == second
    assert len(server.seen) == 1


def test_unusable_answer_is_cached_too(server: Server) -> None:
    summarizer = make(server.url, "ungrounded-name")
    summarize(summarizer, launch())
    story = summarize(summarizer, launch())
    assert story.summarizer == "extractive"
    assert len(server.seen) == 1


def test_change_without_a_new_source_reuses_the_answer(server: Server) -> None:
    summarizer = make(server.url, "good")
    summarize(summarizer, launch())
    follow_up = entry(
        "tc-2",
        TC,
        minutes=90,
        title="GPT-5 hands-on: what we learned",
        body="We tried GPT-5 in ChatGPT for an afternoon.",
    )
    story = summarize(summarizer, [*launch(), follow_up])
    assert len(server.seen) == 1
    assert story.summarizer == "good"
    assert story.coverage_item_ids[-1] == "tc-2"  # the coverage is current


def test_new_source_is_a_material_change(server: Server) -> None:
    summarizer = make(server.url, "good")
    summarize(summarizer, launch())
    wired = entry(
        "wired-1",
        WIRED,
        minutes=60,
        title="OpenAI's GPT-5 arrives",
        body="OpenAI made GPT-5 available to ChatGPT users on Thursday.",
    )
    story = summarize(summarizer, [*launch(), wired])
    assert len(server.seen) == 2
    assert story.summarizer == "good"
    assert story.source_count == 4


def test_edited_body_changes_the_content_key() -> None:
    entries = launch()
    edited = [*entries[:2], replace(entries[2], item=replace(entries[2].item, body="Edited."))]
    assert content_key(entries, "m") == content_key(list(reversed(entries)), "m")
    assert content_key(entries, "m") != content_key(edited, "m")
    assert content_key(entries, "m") != content_key(entries, "other-model")


# ---- the daily token budget -----------------------------------------------------------------


def distinct_event(n: int) -> list[CoverageEntry]:
    """The launch plus a follow-up of its own, so each event's content differs."""
    extra = entry(
        f"wired-{n}",
        WIRED,
        minutes=60 + n,
        title=f"OpenAI's GPT-5 arrives, report {n}",
        body="OpenAI made GPT-5 available to ChatGPT users on Thursday.",
    )
    return [*launch(), extra]


def test_token_budget_stops_calls_until_the_next_utc_day(
    server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    wall = [datetime(2025, 8, 7, 23, 0, tzinfo=UTC)]
    summarizer = make(server.url, "big-usage", daily_tokens=15_000, clock=lambda: wall[0])
    with caplog.at_level(logging.DEBUG, logger=LOGGER):
        labels = [summarize(summarizer, distinct_event(n), cid=n).summarizer for n in range(1, 5)]
    # 10,000 tokens per answer: the second still fits, the third would not
    assert labels == ["big-usage", "big-usage", "extractive", "extractive"]
    assert len(server.seen) == 2
    assert summarizer.budget.spent == 20_000
    spent = [r for r in caplog.records if "daily token budget of 15000 is spent" in r.getMessage()]
    assert [r.levelno for r in spent] == [logging.WARNING, logging.DEBUG]

    wall[0] += timedelta(hours=2)  # 2025-08-08 in UTC: a new budget
    assert summarize(summarizer, distinct_event(5), cid=5).summarizer == "big-usage"
    assert len(server.seen) == 3
    assert summarizer.budget.spent == 10_000


def test_the_budget_survives_a_restart_through_the_database(server: Server, tmp_path: Path) -> None:
    wall = [datetime(2025, 8, 7, 12, 0, tzinfo=UTC)]
    storage = open_storage(f"sqlite:///{tmp_path / 'budget.sqlite3'}")
    try:
        first = make(
            server.url, "big-usage", daily_tokens=15_000, clock=lambda: wall[0], ledger=storage
        )
        for n in (1, 2):  # 10,000 tokens each: the second still fits
            assert summarize(first, distinct_event(n), cid=n).summarizer == "big-usage"
        assert storage.tokens_spent(wall[0].date()) == 20_000
        # a restarted service: a new summarizer over the same database keeps to the budget
        again = make(
            server.url, "big-usage", daily_tokens=15_000, clock=lambda: wall[0], ledger=storage
        )
        assert again.budget.spent == 20_000
        assert summarize(again, distinct_event(3), cid=3).summarizer == "extractive"
        assert len(server.seen) == 2
        wall[0] += timedelta(days=1)
        assert summarize(again, distinct_event(4), cid=4).summarizer == "big-usage"
        assert storage.tokens_spent(wall[0].date()) == 10_000
    finally:
        storage.close()


def test_usage_missing_from_the_answer_is_estimated(server: Server) -> None:
    summarizer = make(server.url, "no-usage")
    assert summarize(summarizer, launch()).summarizer == "no-usage"
    assert 500 < summarizer.budget.spent < 5_000


def test_budget_zero_means_no_limit() -> None:
    summarizer = LlmSummarizer("http://127.0.0.1:9/v1", "m", daily_tokens=0)
    summarizer.budget.spend(10**12)
    assert summarizer.budget.allows(10**9)


# ---- the API key ------------------------------------------------------------------------------


def test_api_key_never_reaches_logs_repr_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def mixed(path: str, payload: Any) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(429, {"error": "slow down"}, headers={"Retry-After": "0"})
        if len(calls) == 3:
            return Reply(401, {"error": {"message": "invalid api key"}})
        return chat_server(path, payload)

    with caplog.at_level(logging.DEBUG):
        with serve_api(mixed) as srv:
            summarizer = make(srv.url, "malformed", api_key=SECRET, failure_cooldown_s=0)
            summarize(summarizer, launch())  # 429, then a malformed answer
            summarize(summarizer, distinct_event(1), cid=8)  # 401
        dead = LlmSummarizer(
            f"http://user:{SECRET}@127.0.0.1:{closed_port()}/v1", "m", api_key=SECRET
        )
        summarize(dead, launch())
    assert calls == [1, 1, 1]
    assert "HTTP 429" in caplog.text
    assert "HTTP 401" in caplog.text
    assert "request failed" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(summarizer)
    assert SECRET not in repr(dead)
    assert SECRET not in repr(vars(summarizer).get("budget"))


# ---- the schema ---------------------------------------------------------------------------


def test_schema_accepts_a_good_answer_and_names_violations() -> None:
    payload = {"messages": [{"content": json.dumps(fake_message())}]}
    good = good_answer(payload)
    assert schema_errors(good, story_schema(3)) == []
    good["summary"][0]["cites"] = [True]
    del good["impact"]
    assert schema_errors(good, story_schema(3)) == [
        "$: 'impact' is missing",
        "$.summary[0].cites[0]: expected integer, got bool",
    ]


def fake_message() -> dict[str, Any]:
    outlets = ["OpenAI", "TechCrunch", "The Verge"]
    return {
        "items": [{"id": i, "outlet": o} for i, o in enumerate(outlets, start=1)],
        "coverage": {"sources": 3},
    }


# ---- settings and wiring ----------------------------------------------------------------------


def test_summarizer_settings_from_environment() -> None:
    settings = load_settings(
        environ={
            "PULSEAUGUR_SUMMARIZER": "openai",
            "PULSEAUGUR_SUMMARIZER_URL": "http://127.0.0.1:8080/v1/",
            "PULSEAUGUR_SUMMARIZER_MODEL": "qwen2.5-7b-instruct",
            "PULSEAUGUR_SUMMARIZER_API_KEY": SECRET,
            "PULSEAUGUR_SUMMARIZER_TIMEOUT_S": "12.5",
            "PULSEAUGUR_SUMMARIZER_DAILY_TOKENS": "20000",
        }
    )
    assert settings.summarizer == "openai"
    assert settings.summarizer_url == "http://127.0.0.1:8080/v1"
    assert SECRET not in repr(settings)
    with httpx.Client() as client:
        summarizer = summarizer_from_settings(settings, client)
    assert isinstance(summarizer, LlmSummarizer)
    assert summarizer.name == "qwen2.5-7b-instruct"
    assert summarizer.timeout_s == 12.5
    assert summarizer.budget.daily_tokens == 20_000
    assert SECRET not in repr(summarizer)


def test_default_summarizer_is_extractive() -> None:
    settings = load_settings(environ={})
    assert settings.summarizer == "extractive"
    assert settings.summarizer_daily_tokens == 500_000
    with httpx.Client() as client:
        assert isinstance(summarizer_from_settings(settings, client), ExtractiveSummarizer)


def test_runtime_builds_the_configured_summarizer() -> None:
    from pulseaugur.pipeline import runtime

    async def build(settings: Settings) -> str:
        async with runtime.event_summarizer(settings) as summarizer:
            return summarizer.name

    openai = Settings(
        summarizer="openai", summarizer_url="http://127.0.0.1:9/v1", summarizer_model="m"
    )
    assert asyncio.run(build(Settings())) == "extractive"
    assert asyncio.run(build(openai)) == "m"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PULSEAUGUR_SUMMARIZER": "openai"}, "summarizer_url"),
        (
            {"PULSEAUGUR_SUMMARIZER": "openai", "PULSEAUGUR_SUMMARIZER_URL": "http://h:1/v1"},
            "summarizer_model",
        ),
        ({"PULSEAUGUR_SUMMARIZER": "gpt"}, "PULSEAUGUR_SUMMARIZER"),
        ({"PULSEAUGUR_SUMMARIZER_URL": "ftp://127.0.0.1/v1"}, "PULSEAUGUR_SUMMARIZER_URL"),
        ({"PULSEAUGUR_SUMMARIZER_TIMEOUT_S": "0"}, "PULSEAUGUR_SUMMARIZER_TIMEOUT_S"),
        ({"PULSEAUGUR_SUMMARIZER_DAILY_TOKENS": "-1"}, "PULSEAUGUR_SUMMARIZER_DAILY_TOKENS"),
        (
            {"PULSEAUGUR_SUMMARIZER_API_KEY": SECRET + "\r\nX-Evil: 1"},
            "PULSEAUGUR_SUMMARIZER_API_KEY",
        ),
    ],
)
def test_bad_summarizer_setting_names_it(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert caught.value.setting == named
    assert SECRET not in str(caught.value)


# ---- through storage and the site -------------------------------------------------------------


def test_pipeline_stores_and_the_page_credits_the_model(server: Server, tmp_path: Path) -> None:
    storage = open_storage(f"sqlite:///{tmp_path / 'llm.sqlite3'}")
    try:
        entries = launch()
        storage.sync_sources([LAB, TC, VERGE])
        c, _ = event(entries, cluster_id=1)
        storage.save_cluster(replace(c, slug="openai-releases-gpt-5"))
        for e in entries:
            storage.add_item(e.item)
            storage.add_membership(1, e.item.id, 0.5)
        pipeline = Pipeline(storage, OnlineClusterer(), make(server.url, "good"), clock=lambda: NOW)
        pipeline.summarize(1)
        story = storage.get_event(1).story
        assert story is not None
        assert story.summarizer == "good"
        with TestClient(create_app(storage, clock=lambda: NOW)) as client:
            page = client.get("/cluster/1-openai-releases-gpt-5").text
        assert "AI-generated summary · good · from 3 sources" in page
        assert "OpenAI releases GPT-5 to all ChatGPT users" in page
    finally:
        storage.close()
