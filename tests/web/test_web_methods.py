"""The methods pages: rendered from the live code and configuration, never a secret."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from web_seed import NOW

from pulseaugur.cluster.merge import FEATURES, default_models
from pulseaugur.cluster.online import ClusterParams
from pulseaugur.config import Settings
from pulseaugur.rank import EVENT_TYPES, HEADLINE_SIGNAL, TOPICS, ScoreWeights
from pulseaugur.storage.base import Storage
from pulseaugur.summarize.answer import story_schema
from pulseaugur.summarize.extractive import REDUNDANCY
from pulseaugur.summarize.headline import MAX_HEADLINE_CHARS
from pulseaugur.summarize.llm import MAX_PROMPT_ITEMS, SYSTEM_PROMPT
from pulseaugur.web import methods
from pulseaugur.web.app import create_app
from pulseaugur.web.methods import attribute_docs, fragments, value_text, weight_text

PAGES = ("/methods/summaries", "/methods/clustering", "/methods/ranking")
SECRET = "sk-live-SECRET-4f1d9a"
LLM_URL = "https://llmuser7:hunter2@llm.internal.example:8443/v1"


def text_of(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed (entities kept)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def make_client(
    storage: Storage, *, settings: Settings | None = None, weights: ScoreWeights | None = None
) -> TestClient:
    app = create_app(
        storage, clock=lambda: NOW, settings=settings, weights=weights, revision_ttl_s=0
    )
    return TestClient(app)


# ---- well-formedness ------------------------------------------------------------------------

VOID = {"meta", "link", "br", "hr", "img", "input", "wbr", "source", "col"}


class TreeCheck(HTMLParser):
    """Every non-void element closed, in order; ids unique; no inline script or style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if "style" in names or any(name.startswith("on") for name in names):
            self.errors.append(f"inline style or handler on <{tag}>")
        if tag == "style" or (tag == "script" and "src" not in names):
            self.errors.append(f"inline <{tag}>")
        self.ids += [value or "" for name, value in attrs if name == "id"]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check_tree(html: str) -> list[str]:
    parser = TreeCheck()
    parser.feed(html)
    parser.close()
    errors = list(parser.errors)
    if parser.stack:
        errors.append(f"unclosed: {parser.stack}")
    duplicates = {i for i in parser.ids if parser.ids.count(i) > 1}
    if duplicates:
        errors.append(f"duplicate ids: {sorted(duplicates)}")
    return errors


def test_the_tree_check_finds_faults() -> None:
    assert check_tree("<div><p>x</p></div>") == []
    assert check_tree("<div><p>x</div>")
    assert check_tree('<p id="a"></p><p id="a"></p>')
    assert check_tree("<script>alert(1)</script>")
    assert check_tree('<p style="color:red"></p>')


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_well_formed_and_links_the_others(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert check_tree(html) == []
    assert html.startswith("<!doctype html>")
    nav = html.split('<nav class="methods-nav"')[1].split("</nav>")[0]
    for other in PAGES:
        if other == path:
            assert 'aria-current="page"' in nav
        else:
            assert f'<a href="{other}">' in nav
    footer = html.split('<footer class="site">')[1]
    for page in PAGES:
        assert f'<a href="{page}">' in footer
    assert 'rel="stylesheet" href="/static/style.css"' in html


@pytest.mark.parametrize("path", PAGES)
def test_head_is_answered(client: TestClient, path: str) -> None:
    assert client.head(path).status_code == 200


@pytest.mark.parametrize(
    "path", ["/methods/x", "/methods/", "/methods", "/methods/Summaries", "/methods/ranking/x"]
)
def test_unknown_methods_page_is_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Not found" in response.text


def test_home_and_event_pages_link_the_methods_pages(client: TestClient) -> None:
    for path in ("/", "/cluster/1-openai-releases-gpt-5"):
        html = client.get(path).text
        assert '<a href="/methods/clustering">How clustering works</a>' in html
        assert '<a href="/methods/ranking">How we rank</a>' in html


# ---- /methods/summaries ---------------------------------------------------------------------


def test_summaries_page_shows_the_code_values(client: TestClient) -> None:
    html = client.get("/methods/summaries").text
    text = text_of(html)
    assert "<h1>How we write summaries</h1>" in html
    assert f"a title over <strong>{MAX_HEADLINE_CHARS} characters</strong>" in html
    assert f"(cosine {value_text(REDUNDANCY)} or more)" in text
    assert '<tr id="v-REDUNDANCY"><th scope="row"><code>REDUNDANCY</code></th>' in html
    # the attribute docstring is the explanation
    assert "Cosine similarity at or above which a candidate repeats" in text
    # the attribution line comes from attribution()
    assert "Extractive summary from 5 sources" in text
    assert "AI-generated summary · &lt;model&gt; · from 5 sources" in text
    assert "no language model is configured" in text


def test_summaries_page_shows_the_prompt_and_schema_verbatim(client: TestClient) -> None:
    html = client.get("/methods/summaries").text
    assert f'<pre class="prompt">{escape(SYSTEM_PROMPT)}</pre>' in html
    schema = json.dumps(story_schema(MAX_PROMPT_ITEMS), indent=2, ensure_ascii=False)
    assert f'<pre class="schema">{escape(schema)}</pre>' in html
    assert '"text": one sentence' not in html  # escaped, not raw
    assert "&#34;text&#34;: one sentence" in html


def test_a_changed_constant_shows(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(methods.extractive_module, "REDUNDANCY", 0.66)
    html = client.get("/methods/summaries").text
    assert "(cosine 0.66 or more)" in text_of(html)
    assert "(cosine 0.6 or more)" not in text_of(html)


def test_configured_llm_is_described_without_its_secrets(storage: Storage) -> None:
    settings = Settings(
        summarizer="openai",
        summarizer_url=LLM_URL,
        summarizer_model="qwen3-32b-instruct",
        summarizer_api_key=SECRET,
        summarizer_timeout_s=42.0,
        summarizer_daily_tokens=123_456,
        translation_backend="openai",
        translation_url="https://translator:pw@tr.internal.example/v1",
        translation_model="m",
        translation_api_key=SECRET + "-tr",
    )
    with make_client(storage, settings=settings) as client:
        html = client.get("/methods/summaries").text
        text = text_of(html)
        assert "a language model writes the stories" in text
        assert "<code>qwen3-32b-instruct</code>" in html
        assert "42 s" in text
        assert "123,456 tokens" in text
        assert "no language model is configured" not in text
        for path in (*PAGES, "/", "/cluster/1-openai-releases-gpt-5", "/api/v1/events"):
            body = client.get(path).text
            for secret in (SECRET, "hunter2", "llmuser7", "llm.internal", "tr.internal", "pw@"):
                assert secret not in body, (path, secret)


def test_unlimited_budget_reads_so(storage: Storage) -> None:
    settings = Settings(
        summarizer="openai", summarizer_url=LLM_URL, summarizer_model="m", summarizer_daily_tokens=0
    )
    with make_client(storage, settings=settings) as client:
        assert "any number of tokens" in text_of(client.get("/methods/summaries").text)


# ---- /methods/clustering --------------------------------------------------------------------


def row(name: str, value: str) -> str:
    return f'<tr id="v-{name}"><th scope="row"><code>{name}</code></th><td class="num">{value}</td>'


def test_clustering_page_shows_every_cluster_param_with_its_docstring(client: TestClient) -> None:
    html = client.get("/methods/clustering").text
    params = ClusterParams()
    for field in fields(ClusterParams):
        assert row(field.name, value_text(getattr(params, field.name))) in html
    text = text_of(html)
    assert "Minimum cosine between a document and an event centroid to join the event." in text
    assert "Weight of one body occurrence of a term." in text
    # reST inline markup becomes code
    assert "<code>merge_model.json</code>" in html
    assert "``" not in html


@dataclass(frozen=True, slots=True)
class ChangedParams(ClusterParams):
    """ClusterParams with changed defaults, as a code change would make them."""

    threshold: float = 0.31
    max_span_days: float = 2.25


def test_a_changed_cluster_param_default_shows(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(methods, "ClusterParams", ChangedParams)
    html = client.get("/methods/clustering").text
    text = text_of(html)
    assert row("threshold", "0.31") in html
    assert row("max_span_days", "2.25") in html
    assert "at cosine <strong>0.31</strong> or more" in html
    assert "beyond 2.25 days" in text
    assert row("threshold", "0.24") not in html
    # the docstring still explains the field
    assert "Minimum cosine between a document and an event centroid" in text


def test_clustering_page_shows_the_shipped_models(client: TestClient) -> None:
    html = client.get("/methods/clustering").text
    event, storyline = default_models()
    section = html.split('id="event-model"')[1].split('id="storyline-model"')[0]
    for name, weight in zip(FEATURES, event.weights, strict=True):
        assert f'<code>{name}</code></th><td class="num">{weight_text(weight)}</td>' in section
    assert f"Join when the probability reaches <strong>{value_text(event.cut)}</strong>" in section
    assert weight_text(event.bias) in section
    if storyline is not None:
        rest = html.split('id="storyline-model"')[1]
        assert f"<strong>{value_text(storyline.cut)}</strong>" in rest


# ---- /methods/ranking -----------------------------------------------------------------------


def test_ranking_page_shows_the_default_weights(client: TestClient) -> None:
    html = client.get("/methods/ranking").text
    assert (
        '<tr id="w-authority"><th scope="row"><code>authority</code></th><td class="num">0.3</td>'
    ) in html
    assert (
        '<tr id="w-time_decay"><th scope="row"><code>time_decay</code></th>'
        '<td class="num">0.25</td><td class="num">25%</td>'
    ) in html
    assert "this site's configuration" not in html
    for name in EVENT_TYPES:
        signal = value_text(HEADLINE_SIGNAL.get(name, HEADLINE_SIGNAL["other"]))
        assert (
            f'<tr id="type-{name}"><th scope="row"><code>{name}</code></th>'
            f'<td class="num">{signal}</td>'
        ) in html
    for topic in TOPICS:
        assert f'<th scope="row">{escape(topic)}</th>' in html


def test_configured_weights_show_beside_the_defaults(storage: Storage) -> None:
    weights = ScoreWeights(
        authority=0.4, cluster_strength=0.2, headline_signal=0.2, time_decay=0.2, half_life_hours=6
    )
    with make_client(storage, weights=weights) as client:
        html = client.get("/methods/ranking").text
    assert "Score weights (this site's configuration)" in html
    assert (
        '<tr id="w-authority"><th scope="row"><code>authority</code></th>'
        '<td class="num">0.4</td><td class="num">40%</td><td class="num">0.3</td>'
    ) in html
    assert "0.5<sup>age / 6 h</sup>" in html


def test_ranking_page_counts_the_live_tiers(storage: Storage) -> None:
    client = make_client(storage)
    html = client.get("/methods/ranking").text
    text = text_of(html)
    # web_seed: tier 1: openai-news; tier 2: scmp-tech, jiqizhixin; tier 3: three
    counts = html.split('id="tier-counts"')[1].split("</table>")[0]
    assert '<th scope="row">1</th><td class="num">1</td><td class="num">100</td>' in counts
    assert '<th scope="row">2</th><td class="num">2</td><td class="num">65</td>' in counts
    assert '<th scope="row">3</th><td class="num">3</td><td class="num">35</td>' in counts
    listed = html.split('id="tier-1-list"')[1].split("</ul>")[0]
    assert "OpenAI — News" in listed
    assert "SCMP" not in listed
    assert "This site reads 6 sources" in text

    storage.set_source_enabled("scmp-tech", False)
    html = client.get("/methods/ranking").text
    counts = html.split('id="tier-counts"')[1].split("</table>")[0]
    assert '<th scope="row">2</th><td class="num">1</td>' in counts
    assert "(1 more are listed but disabled)" in text_of(html)


def test_ranking_page_with_no_sources(empty_storage: Storage) -> None:
    with make_client(empty_storage) as client:
        response = client.get("/methods/ranking")
    assert response.status_code == 200
    assert "No sources are registered yet." in response.text
    assert check_tree(response.text) == []


def test_hostile_source_names_are_escaped(storage: Storage, client: TestClient) -> None:
    from dataclasses import replace

    source = storage.get_source("hostile")
    storage.sync_sources([*storage.get_sources(), replace(source, tier=1)])
    html = client.get("/methods/ranking").text
    assert "<script>" not in html
    assert "Evil &lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---- helpers --------------------------------------------------------------------------------


def test_fragments_turn_rest_markup_into_code() -> None:
    assert fragments("Uses :class:`~a.b.MergeModel` and ``x``\n  then :data:`LIMIT`.") == (
        ("Uses ", False),
        ("MergeModel", True),
        (" and ", False),
        ("x", True),
        (" then ", False),
        ("LIMIT", True),
        (".", False),
    )
    assert fragments("") == ()


def test_attribute_docs_read_classes_and_modules() -> None:
    docs = attribute_docs(ClusterParams)
    assert docs["body_weight"] == "Weight of one body occurrence of a term."
    assert set(docs) == {f.name for f in fields(ClusterParams)}
    assert attribute_docs(ChangedParams)["threshold"].startswith("Minimum cosine")
    assert "MAX_SENTENCES" not in attribute_docs(methods.extractive_module)
    assert attribute_docs(methods.extractive_module)["REDUNDANCY"].startswith("Cosine")


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "on"), (False, "off"), (4096, "4,096"), (0.24, "0.24"), (2.0, "2"), (1.5, "1.5")],
)
def test_value_text(value: object, text: str) -> None:
    assert value_text(value) == text


def test_the_served_app_gets_the_service_settings(storage: Storage) -> None:
    from pulseaugur.pipeline import runtime
    from pulseaugur.storage import SqlStorage

    assert isinstance(storage, SqlStorage)
    settings = Settings(summarizer="openai", summarizer_url=LLM_URL, summarizer_model="served-m")
    server = runtime.web_server(storage, "127.0.0.1", 8000, settings=settings)
    with TestClient(server.config.app) as client:
        assert "<code>served-m</code>" in client.get("/methods/summaries").text
