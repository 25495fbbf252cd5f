"""Translation backends for ``title_en``, against real HTTP servers on 127.0.0.1.

The servers below speak the OpenAI chat-completions protocol and LibreTranslate's
``/translate`` for real (JSON over HTTP, in threads); they "translate" from a small
glossary of real titles: German ones from the replay corpus (the ai-first.ai podcast)
and hand-written Chinese, Japanese and French headlines, each labelled. A title not in
the glossary is echoed back, as a model that fails to translate does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from pulseaugur.config import Settings, load_settings
from pulseaugur.errors import ConfigError
from pulseaugur.normalize.item import normalize_item
from pulseaugur.normalize.translate import (
    MAX_BATCH,
    LibreTranslateTranslator,
    OpenAICompatibleTranslator,
    TranslationError,
    Translator,
    blocking_title_filler,
    fill_title_en,
    translator_from_settings,
)
from pulseaugur.types import Item, RawItem

from support import (
    T0,
    Reply,
    Server,
    chat_completion,
    closed_port,
    make_item,
    make_source,
    serve_api,
)

T = TypeVar("T")

# German titles as they appear in replay/ai-news-items.jsonl (source ai-first.ai/podcast).
DE_KOERBER = "Wie Körber ein GenAI Center of Excellence aufgebaut hat"
DE_BASF = "Wie BASF 110.000 Mitarbeiter fit für die Zukunft macht"
DE_RECRUITING = (
    "KI im Recruiting: Von 45 auf 3 Minuten für eine Stellenanzeige mit 30% mehr Conversion"
)
# Hand-written headlines, labelled by language.
ZH_GPT5 = "OpenAI 发布 GPT-5 模型"  # zh
ZH_ERNIE = "百度发布文心大模型 4.5"  # zh
JA_SOFTBANK = "ソフトバンク、OpenAIに追加出資へ"  # ja
FR_MISTRAL = "Mistral AI lève 600 millions d'euros pour concurrencer OpenAI"  # fr
DE_UNKNOWN = "Ein Titel, den der Server nicht übersetzen kann"  # de, not in the glossary

GLOSSARY = {
    DE_KOERBER: "How Körber built a GenAI Center of Excellence",
    DE_BASF: "How BASF makes 110,000 employees fit for the future",
    DE_RECRUITING: "AI in recruiting: from 45 to 3 minutes per job ad with 30% more conversion",
    ZH_GPT5: "OpenAI releases the GPT-5 model",
    ZH_ERNIE: "Baidu releases the ERNIE 4.5 large model",
    JA_SOFTBANK: "SoftBank to invest more in OpenAI",
    FR_MISTRAL: "Mistral AI raises 600 million euros to compete with OpenAI",
}
SECRET = "sk-test-7f3a9c-never-log-me"


def run(body: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
    """Run ``body`` in a fresh event loop with an httpx client for the translators."""

    async def main() -> T:
        async with httpx.AsyncClient(trust_env=False) as client:
            return await body(client)

    return asyncio.run(main())


# ---- real HTTP servers ------------------------------------------------------------------


def openai_server(path: str, payload: Any) -> Reply:
    """An OpenAI-compatible server whose ``model`` chooses how it (mis)behaves."""
    if path != "/v1/chat/completions":
        return Reply(404, {"error": {"message": f"no route {path}"}})
    model = payload["model"]
    if model == "no-such-model":
        return Reply(404, {"error": {"message": "model 'no-such-model' not found"}})
    if model == "strict" and ("response_format" in payload or "temperature" in payload):
        return Reply(400, {"error": {"message": "response_format is not supported"}})
    titles = json.loads(payload["messages"][-1]["content"])
    english = [GLOSSARY.get(title, title) for title in titles]
    if model in ("good", "strict"):
        content = json.dumps({"translations": english}, ensure_ascii=False)
    elif model == "fenced":
        content = "```json\n" + json.dumps({"translations": english}, indent=2) + "\n```"
    elif model == "bare-array":
        content = json.dumps(english)
    elif model == "thinking":
        content = (
            "<think>The user wants [translations]. {Let me think.}</think>\n"
            "Here are the translations:\n" + json.dumps(english)
        )
    elif model == "not-json":
        content = "Sure! " + " / ".join(english)
    elif model == "short":
        content = json.dumps({"translations": english[:-1]})
    elif model == "bad-types":
        content = json.dumps({"translations": [123, "   ", *english[2:]]})
    elif model == "no-choices":
        return Reply(200, {"object": "chat.completion", "choices": []})
    else:
        raise AssertionError(model)
    return Reply(200, chat_completion(content))


def libre_server(path: str, payload: Any) -> Reply:
    """A LibreTranslate server that accepts a list for ``q`` (as current versions do)."""
    assert path == "/translate"
    q = payload["q"]
    if isinstance(q, list):
        return Reply(200, {"translatedText": [GLOSSARY.get(t, t) for t in q]})
    return Reply(200, {"translatedText": GLOSSARY.get(q, q)})


def libre_strings_only(path: str, payload: Any) -> Reply:
    """An older LibreTranslate: ``q`` must be a string (a list gets HTTP 400)."""
    q = payload["q"]
    if not isinstance(q, str):
        return Reply(400, {"error": "Invalid request: q must be a string"})
    return Reply(200, {"translatedText": GLOSSARY.get(q, q)})


def openai(server: Server, client: httpx.AsyncClient, model: str = "good", **kw: Any) -> Any:
    return OpenAICompatibleTranslator(server.url + "/v1", model, client=client, **kw)


# ---- OpenAI-compatible ------------------------------------------------------------------


def test_openai_translations_are_used() -> None:
    titles = [DE_KOERBER, DE_BASF, DE_RECRUITING]
    with serve_api(openai_server) as server:
        result = run(
            lambda c: openai(server, c, "good", api_key=SECRET, timeout_s=5).translate(titles, "de")
        )
    assert result == [GLOSSARY[t] for t in titles]
    [request] = server.seen
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.body["model"] == "good"
    assert request.body["response_format"] == {"type": "json_object"}
    assert request.body["temperature"] == 0
    assert json.loads(request.body["messages"][-1]["content"]) == titles
    assert "German" in request.body["messages"][0]["content"]


@pytest.mark.parametrize("model", ["fenced", "bare-array", "thinking"])
def test_openai_answer_forms_are_read(model: str) -> None:
    titles = [ZH_GPT5, ZH_ERNIE]
    with serve_api(openai_server) as server:
        result = run(lambda c: openai(server, c, model).translate(titles, "zh"))
    assert result == [GLOSSARY[ZH_GPT5], GLOSSARY[ZH_ERNIE]]


def test_openai_echoed_text_is_no_translation() -> None:
    titles = [JA_SOFTBANK, DE_UNKNOWN, FR_MISTRAL]
    with serve_api(openai_server) as server:
        result = run(lambda c: openai(server, c).translate(titles, "ja"))
    assert result == [GLOSSARY[JA_SOFTBANK], None, GLOSSARY[FR_MISTRAL]]


@pytest.mark.parametrize("model", ["not-json", "short", "no-choices"])
def test_openai_malformed_answer_gives_none(model: str, caplog: pytest.LogCaptureFixture) -> None:
    titles = [DE_KOERBER, DE_BASF, DE_RECRUITING]
    with serve_api(openai_server) as server:

        async def twice(client: httpx.AsyncClient) -> list[list[str | None]]:
            translator = openai(server, client, model, api_key=SECRET)
            return [await translator.translate(titles, "de") for _ in range(2)]

        with caplog.at_level(logging.DEBUG, logger="pulseaugur.normalize.translate"):
            results = run(twice)
    assert results == [[None, None, None]] * 2
    assert len(server.seen) == 2  # bad output is no outage: asked again
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # logged once per run of failures
    assert SECRET not in caplog.text


def test_openai_bad_entries_give_none_for_those_only() -> None:
    titles = [DE_KOERBER, DE_BASF, DE_RECRUITING]
    with serve_api(openai_server) as server:
        result = run(lambda c: openai(server, c, "bad-types").translate(titles, "de"))
    assert result == [None, None, GLOSSARY[DE_RECRUITING]]


def test_openai_options_refused_are_dropped() -> None:
    with serve_api(openai_server) as server:

        async def body(client: httpx.AsyncClient) -> list[list[str | None]]:
            translator = openai(server, client, "strict")
            return [
                await translator.translate([DE_BASF], "de"),
                await translator.translate([FR_MISTRAL], "fr"),
            ]

        first, second = run(body)
    assert first == [GLOSSARY[DE_BASF]]
    assert second == [GLOSSARY[FR_MISTRAL]]
    assert ["response_format" in s.body for s in server.seen] == [True, False, False]


def test_openai_empty_texts_are_not_sent() -> None:
    with serve_api(openai_server) as server:
        result = run(lambda c: openai(server, c).translate(["", "  ", DE_BASF], "de"))
        nothing = run(lambda c: openai(server, c).translate([], "de"))
    assert result == [None, None, GLOSSARY[DE_BASF]]
    assert nothing == []
    assert json.loads(server.seen[0].body["messages"][-1]["content"]) == [DE_BASF]


def test_dead_endpoint_gives_none_quickly() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    started = time.monotonic()
    result = run(
        lambda c: OpenAICompatibleTranslator(url, "good", client=c, timeout_s=2).translate(
            [DE_KOERBER, ZH_GPT5], "de"
        )
    )
    assert result == [None, None]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("backend", ["openai", "libretranslate"])
def test_slow_server_gives_none_within_the_timeout(backend: str) -> None:
    def slow(path: str, payload: Any) -> Reply:
        return Reply(200, chat_completion("[]"), delay_s=10)

    with serve_api(slow) as server:

        async def body(client: httpx.AsyncClient) -> list[str | None]:
            translator: Translator = (
                openai(server, client, timeout_s=0.5)
                if backend == "openai"
                else LibreTranslateTranslator(server.url, client=client, timeout_s=0.5)
            )
            return await translator.translate([DE_KOERBER, DE_BASF], "de")

        started = time.monotonic()
        result = run(body)
        elapsed = time.monotonic() - started
    assert result == [None, None]
    assert 0.4 < elapsed < 2.0


def test_outage_cools_down_then_retries(caplog: pytest.LogCaptureFixture) -> None:
    state = {"down": True}

    def flaky(path: str, payload: Any) -> Reply:
        if state["down"]:
            return Reply(503, {"error": "overloaded"})
        return openai_server(path, payload)

    with serve_api(flaky) as server:

        async def body(client: httpx.AsyncClient) -> list[list[str | None]]:
            translator = openai(server, client, failure_cooldown_s=0.3)
            results = [await translator.translate([DE_BASF], "de") for _ in range(3)]
            assert len(server.seen) == 1  # quiet during the cool-down
            state["down"] = False
            await asyncio.sleep(0.35)
            results.append(await translator.translate([DE_BASF], "de"))
            return results

        with caplog.at_level(logging.INFO, logger="pulseaugur.normalize.translate"):
            results = run(body)
    assert results == [[None], [None], [None], [GLOSSARY[DE_BASF]]]
    messages = [r.getMessage() for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert any("answers again" in m for m in messages)


@pytest.mark.parametrize(
    ("status", "hint"), [(401, "translation_api_key"), (404, "translation_url")]
)
def test_misconfiguration_raises_translation_error(status: int, hint: str) -> None:
    def refuse(path: str, payload: Any) -> Reply:
        return Reply(status, {"error": {"message": "no"}})

    with serve_api(refuse) as server, pytest.raises(TranslationError) as caught:
        run(lambda c: openai(server, c, api_key=SECRET).translate([DE_BASF], "de"))
    assert hint in str(caught.value)
    assert SECRET not in str(caught.value)


def test_unknown_model_raises_translation_error() -> None:
    with serve_api(openai_server) as server, pytest.raises(TranslationError, match="404"):
        run(lambda c: openai(server, c, "no-such-model").translate([DE_BASF], "de"))


def test_constructor_rejects_misconfiguration() -> None:
    async def body(client: httpx.AsyncClient) -> None:
        with pytest.raises(TranslationError, match="model"):
            OpenAICompatibleTranslator("http://127.0.0.1:1/v1", " ", client=client)
        with pytest.raises(TranslationError, match="base URL"):
            OpenAICompatibleTranslator("ftp://127.0.0.1/v1", "m", client=client)
        with pytest.raises(TranslationError, match="base URL"):
            LibreTranslateTranslator("127.0.0.1:5000", client=client)
        with pytest.raises(TranslationError, match="timeout"):
            LibreTranslateTranslator("http://127.0.0.1:5000", client=client, timeout_s=0)
        translator = LibreTranslateTranslator(
            "http://user:pw@127.0.0.1:5000/", api_key=SECRET, client=client
        )
        assert translator.base_url == "http://user:pw@127.0.0.1:5000"
        assert SECRET not in repr(translator)
        assert "pw" not in repr(translator)

    run(body)


# ---- LibreTranslate ---------------------------------------------------------------------


def test_libretranslate_list_form() -> None:
    titles = [DE_KOERBER, DE_UNKNOWN, DE_BASF]
    with serve_api(libre_server) as server:
        result = run(
            lambda c: LibreTranslateTranslator(server.url, api_key=SECRET, client=c).translate(
                titles, "de"
            )
        )
    assert result == [GLOSSARY[DE_KOERBER], None, GLOSSARY[DE_BASF]]
    [request] = server.seen
    assert request.path == "/translate"
    assert request.body == {
        "q": titles,
        "source": "de",
        "target": "en",
        "format": "text",
        "api_key": SECRET,
    }


def test_libretranslate_single_string_answer() -> None:
    def single(path: str, payload: Any) -> Reply:
        q = payload["q"]
        return Reply(200, {"translatedText": GLOSSARY[q[0] if isinstance(q, list) else q]})

    with serve_api(single) as server:
        result = run(
            lambda c: LibreTranslateTranslator(server.url, client=c).translate([FR_MISTRAL], "fr")
        )
    assert result == [GLOSSARY[FR_MISTRAL]]
    assert "api_key" not in server.seen[0].body


def test_libretranslate_without_lists_goes_one_by_one() -> None:
    with serve_api(libre_strings_only) as server:

        async def body(client: httpx.AsyncClient) -> list[list[str | None]]:
            translator = LibreTranslateTranslator(server.url, client=client)
            return [
                await translator.translate([DE_KOERBER, DE_BASF], "de"),
                await translator.translate([DE_RECRUITING, DE_UNKNOWN], "de"),
            ]

        first, second = run(body)
    assert first == [GLOSSARY[DE_KOERBER], GLOSSARY[DE_BASF]]
    assert second == [GLOSSARY[DE_RECRUITING], None]
    # One refused list, then one request per title (the list is not tried again).
    assert [s.body["q"] for s in server.seen] == [
        [DE_KOERBER, DE_BASF],
        DE_KOERBER,
        DE_BASF,
        DE_RECRUITING,
        DE_UNKNOWN,
    ]


def test_libretranslate_unsupported_language_gives_none() -> None:
    def refuse(path: str, payload: Any) -> Reply:
        return Reply(400, {"error": "xx is not supported"})

    with serve_api(refuse) as server:
        result = run(
            lambda c: LibreTranslateTranslator(server.url, client=c).translate(
                [DE_KOERBER, DE_BASF, DE_RECRUITING], "xx"
            )
        )
    assert result == [None, None, None]
    assert len(server.seen) == 2  # the list, then the first title alone; then it gave up


# ---- fill_title_en ---------------------------------------------------------------------------


def _foreign(n: int, title: str, lang: str) -> Item:
    return make_item(n, title=title, title_en="", lang=lang)


def test_fill_title_en_translates_only_untranslated_foreign_items() -> None:
    english = make_item(1)
    done = make_item(2, title=DE_BASF, title_en="Already translated", lang="de")
    items = [
        english,
        _foreign(3, DE_KOERBER, "de"),
        done,
        _foreign(4, ZH_GPT5, "zh"),
        _foreign(5, DE_UNKNOWN, "de"),
        _foreign(6, JA_SOFTBANK, "ja"),
        _foreign(7, DE_KOERBER, "de"),  # the same title again: sent once
    ]
    with serve_api(openai_server) as server:
        result = run(lambda c: fill_title_en(items, openai(server, c)))
    assert [i.id for i in result] == [i.id for i in items]
    assert result[0] is english
    assert result[2] is done
    assert result[1].title_en == result[6].title_en == GLOSSARY[DE_KOERBER]
    assert result[3].title_en == GLOSSARY[ZH_GPT5]
    assert result[5].title_en == GLOSSARY[JA_SOFTBANK]
    assert result[4] == items[4]  # untranslatable: title_en stays ""
    for before, after in zip(items, result, strict=True):
        assert replace(after, title_en=before.title_en) == before  # nothing else changed
    sent = {json.loads(s.body["messages"][-1]["content"])[0]: s for s in server.seen}
    assert len(server.seen) == 3  # one request per language
    assert json.loads(sent[DE_KOERBER].body["messages"][-1]["content"]) == [
        DE_KOERBER,
        DE_UNKNOWN,
    ]


def test_fill_title_en_batches_at_most_max_batch() -> None:
    titles = [f"{DE_BASF} ({n})" for n in range(2 * MAX_BATCH + 5)]
    items = [_foreign(n, title, "de") for n, title in enumerate(titles)]
    with serve_api(libre_server) as server:
        result = run(lambda c: fill_title_en(items, LibreTranslateTranslator(server.url, client=c)))
    assert [len(s.body["q"]) for s in server.seen] == [MAX_BATCH, MAX_BATCH, 5]
    assert all(item.title_en == "" for item in result)  # the server echoed: no fakes


def test_fill_title_en_without_translator_or_with_failures() -> None:
    items = [make_item(1), _foreign(2, DE_KOERBER, "de")]
    assert asyncio.run(fill_title_en(items, None)) == items

    def refuse(path: str, payload: Any) -> Reply:
        return Reply(401, {"error": "bad key"})

    with serve_api(refuse) as server:
        assert run(lambda c: fill_title_en(items, openai(server, c))) == items
    url = f"http://127.0.0.1:{closed_port()}/v1"
    dead = run(lambda c: fill_title_en(items, OpenAICompatibleTranslator(url, "m", client=c)))
    assert dead == items


def test_fill_title_en_on_real_german_corpus_items(replay_rows: list[dict[str, Any]]) -> None:
    wanted = {DE_KOERBER, DE_BASF, DE_RECRUITING}
    rows = [row for row in replay_rows if row.get("title") in wanted]
    assert {row["title"] for row in rows} == wanted
    source = make_source("ai-first-podcast", languages=("en",), primary=False)
    items: list[Item] = []
    for row in rows:
        raw = RawItem(
            guid=None,
            url=row.get("url"),
            title=row.get("title"),
            summary=row.get("summary"),
            content=row.get("content_html"),
            authors=tuple(row.get("authors") or ()),
            published=None,
            updated=None,
            lang=None,
        )
        item = normalize_item(raw, source, T0)
        assert item is not None
        items.append(item)
    assert {(i.lang, i.title_en) for i in items} == {("de", "")}
    with serve_api(openai_server) as server:
        result = run(lambda c: fill_title_en(items, openai(server, c)))
    assert [i.title_en for i in result] == [GLOSSARY[i.title] for i in items]


# ---- blocking_title_filler ---------------------------------------------------------------------


def test_blocking_filler_from_a_worker_thread() -> None:
    items = [make_item(1), _foreign(2, FR_MISTRAL, "fr")]
    with serve_api(openai_server) as server:

        async def body(client: httpx.AsyncClient) -> list[Item]:
            fill = blocking_title_filler(
                openai(server, client), asyncio.get_running_loop(), timeout_s=5
            )
            with pytest.raises(RuntimeError, match="event loop"):
                fill(items)
            return await asyncio.to_thread(fill, items)

        result = run(body)
    assert result[0] is items[0]
    assert result[1].title_en == GLOSSARY[FR_MISTRAL]


def test_blocking_filler_gives_up_after_its_timeout() -> None:
    items = [_foreign(1, FR_MISTRAL, "fr")]

    def slow(path: str, payload: Any) -> Reply:
        return Reply(200, chat_completion("[]"), delay_s=10)

    with serve_api(slow) as server:

        async def body(client: httpx.AsyncClient) -> tuple[list[Item], float]:
            translator = openai(server, client, timeout_s=30)
            fill = blocking_title_filler(translator, asyncio.get_running_loop(), timeout_s=0.3)
            started = time.monotonic()
            result = await asyncio.to_thread(fill, items)
            return result, time.monotonic() - started

        result, elapsed = run(body)
    assert result == items
    assert elapsed < 2


def test_blocking_filler_skips_the_loop_when_nothing_needs_translation() -> None:
    loop = asyncio.new_event_loop()
    try:
        fill = blocking_title_filler(None, loop)
        items = [make_item(1), _foreign(2, DE_BASF, "de")]
        assert fill(items) == items
    finally:
        loop.close()


# ---- settings ----------------------------------------------------------------------------------


def test_translation_settings_from_environment() -> None:
    settings = load_settings(
        environ={
            "PULSEAUGUR_TRANSLATION_BACKEND": " OpenAI ",
            "PULSEAUGUR_TRANSLATION_URL": "http://127.0.0.1:8080/v1/",
            "PULSEAUGUR_TRANSLATION_MODEL": "qwen2.5-7b-instruct",
            "PULSEAUGUR_TRANSLATION_API_KEY": SECRET,
            "PULSEAUGUR_TRANSLATION_TIMEOUT_S": "7.5",
        }
    )
    assert settings.translation_backend == "openai"
    assert settings.translation_url == "http://127.0.0.1:8080/v1"
    assert settings.translation_model == "qwen2.5-7b-instruct"
    assert settings.translation_api_key == SECRET
    assert settings.translation_timeout_s == 7.5
    assert SECRET not in repr(settings)

    async def body(client: httpx.AsyncClient) -> None:
        translator = translator_from_settings(settings, client)
        assert isinstance(translator, OpenAICompatibleTranslator)
        assert translator.name == "openai:qwen2.5-7b-instruct"
        assert translator.timeout_s == 7.5
        assert SECRET not in repr(translator)
        assert translator_from_settings(Settings(), client) is None
        libre = Settings(translation_backend="libretranslate", translation_url="http://lt:5000")
        assert isinstance(translator_from_settings(libre, client), LibreTranslateTranslator)

    run(body)


def test_translation_settings_from_toml(tmp_path: Path) -> None:
    config = tmp_path / "pulseaugur.toml"
    config.write_text(
        'translation_backend = "libretranslate"\n'
        'translation_url = "https://translate.example.org"\n'
        "translation_timeout_s = 5\n"
    )
    settings = load_settings(config, environ={})
    assert (settings.translation_backend, settings.translation_timeout_s) == ("libretranslate", 5)
    config.write_text('translation_url = "translate.example.org"\n')
    with pytest.raises(ConfigError, match=r"pulseaugur\.toml: translation_url"):
        load_settings(config, environ={})


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"PULSEAUGUR_TRANSLATION_BACKEND": "deepl"}, "PULSEAUGUR_TRANSLATION_BACKEND"),
        ({"PULSEAUGUR_TRANSLATION_URL": "ftp://127.0.0.1/"}, "PULSEAUGUR_TRANSLATION_URL"),
        ({"PULSEAUGUR_TRANSLATION_URL": "localhost:8080"}, "PULSEAUGUR_TRANSLATION_URL"),
        ({"PULSEAUGUR_TRANSLATION_URL": "http://127.0.0.1:99999"}, "PULSEAUGUR_TRANSLATION_URL"),
        ({"PULSEAUGUR_TRANSLATION_URL": "http://h/v1?key=1"}, "PULSEAUGUR_TRANSLATION_URL"),
        ({"PULSEAUGUR_TRANSLATION_MODEL": "a\nb"}, "PULSEAUGUR_TRANSLATION_MODEL"),
        ({"PULSEAUGUR_TRANSLATION_TIMEOUT_S": "0"}, "PULSEAUGUR_TRANSLATION_TIMEOUT_S"),
        ({"PULSEAUGUR_TRANSLATION_TIMEOUT_S": "soon"}, "PULSEAUGUR_TRANSLATION_TIMEOUT_S"),
        (
            {"PULSEAUGUR_TRANSLATION_API_KEY": SECRET + "\r\nX-Evil: 1"},
            "PULSEAUGUR_TRANSLATION_API_KEY",
        ),
    ],
)
def test_bad_translation_setting_names_the_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert caught.value.setting == named
    assert named in str(caught.value)
    assert "\n" not in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("environ", "named", "variable"),
    [
        (
            {"PULSEAUGUR_TRANSLATION_BACKEND": "libretranslate"},
            "translation_url",
            "PULSEAUGUR_TRANSLATION_URL",
        ),
        (
            {
                "PULSEAUGUR_TRANSLATION_BACKEND": "openai",
                "PULSEAUGUR_TRANSLATION_URL": "http://127.0.0.1:8080/v1",
            },
            "translation_model",
            "PULSEAUGUR_TRANSLATION_MODEL",
        ),
    ],
)
def test_backend_without_its_required_settings(
    environ: dict[str, str], named: str, variable: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ)
    assert caught.value.setting == named
    assert variable in str(caught.value)
    # A hand-built Settings gets the same check from translator_from_settings.
    settings = Settings(translation_backend="openai")

    async def body(client: httpx.AsyncClient) -> None:
        with pytest.raises(ConfigError, match="translation_url"):
            translator_from_settings(settings, client)

    run(body)


def test_libretranslate_needs_no_model() -> None:
    settings = load_settings(
        environ={
            "PULSEAUGUR_TRANSLATION_BACKEND": "libretranslate",
            "PULSEAUGUR_TRANSLATION_URL": "http://127.0.0.1:5000",
        }
    )
    assert settings.translation_model == ""
