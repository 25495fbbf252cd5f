"""Accessibility of every page in headless chromium, in English and Chinese: landmarks,
headings, accessible names, labels and link text, unique ids (``structure``); WCAG 2.x text
contrast in the light and the dark colour scheme; the keyboard (the skip link first, a
visible focus indicator on each tab stop); and no sideways scrolling on a 375 px wide phone.

The checks run as JavaScript in the page (``a11y_checks.js``); each failure names the
page, the language, the element (a short CSS path and its text) and the values."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Tab

CHECKS = (Path(__file__).parent / "a11y_checks.js").read_text(encoding="utf-8")
STYLESHEET = (
    Path(__file__).resolve().parents[2] / "src" / "pulseaugur" / "web" / "static" / "style.css"
)
LANGS = ("en", "zh")
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
TAB_STOPS = 20
PHONE = {"width": 375, "height": 800}
ABORTED_FAVICON = re.compile(r"^request failed: GET \S+/static/favicon\.svg: net::ERR_ABORTED$")

# (path, name, HTTP status): one of each kind of page.
PAGES = (
    ("/", "home", 200),
    ("/cluster/1-openai-releases-gpt-5", "event", 200),
    ("/cluster/2-hong-kong-ai-energy", "event-hong-kong", 200),
    ("/brief", "brief", 200),
    ("/brief/2025-08-06", "brief-edition", 200),
    ("/pulse", "pulse", 200),
    ("/topics", "topics", 200),
    ("/topics/models", "topic", 200),
    ("/sources", "sources", 200),
    ("/search?q=GPT-5", "search", 200),
    ("/methods/summaries", "methods-summaries", 200),
    ("/methods/clustering", "methods-clustering", 200),
    ("/methods/ranking", "methods-ranking", 200),
    ("/cluster/999999-nothing", "not-found", 404),
)


def run(tab: Tab, check: str, **options: Any) -> Any:
    """Evaluate one check of ``a11y_checks.js`` in the current page."""
    return tab.page.evaluate(CHECKS, {"check": check, **options})


def use_language(tab: Tab, live_server: LiveServer, lang: str) -> None:
    """Choose the UI language the way the switch does: the ``lang`` cookie."""
    tab.page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server.url}])


def load(tab: Tab, path: str, status: int, lang: str) -> None:
    """Open ``path`` (no screenshot), check its status and that it is in ``lang``."""
    tab.expected_statuses[path] = status
    response = tab.page.goto(path, wait_until="load")
    assert response is not None, path
    assert response.status == status, f"{path}: HTTP {response.status}"
    html_lang = tab.page.evaluate("document.documentElement.lang")
    assert html_lang == HTML_LANG[lang], f"{path}: <html lang={html_lang!r}>, want {lang}"


def every_page(
    tab: Tab, live_server: LiveServer, lang: str, audit: Callable[[str], list[str]]
) -> None:
    """Run ``audit(path)`` on every page in ``lang``; fail listing every problem found."""
    use_language(tab, live_server, lang)
    found: list[str] = []
    for path, _name, status in PAGES:
        load(tab, path, status, lang)
        found.extend(f"[{lang}] {path}: {problem}" for problem in audit(path))
    # Pages are left as soon as they load, so the browser may drop its favicon request.
    tab.problems[:] = [p for p in tab.problems if not ABORTED_FAVICON.search(p)]
    assert not found, f"{len(found)} accessibility problems:\n" + "\n".join(found)


@pytest.mark.parametrize("lang", LANGS)
def test_landmarks_headings_names_and_ids(tab: Tab, live_server: LiveServer, lang: str) -> None:
    every_page(tab, live_server, lang, lambda _path: list(run(tab, "structure")))


def has_dark_scheme() -> bool:
    """Whether style.css has colours for ``prefers-color-scheme: dark``."""
    return "prefers-color-scheme: dark" in STYLESHEET.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("lang", LANGS)
def test_text_contrast(tab: Tab, live_server: LiveServer, lang: str, scheme: str) -> None:
    if scheme == "dark" and not has_dark_scheme():
        pytest.skip("style.css has no dark colour scheme")
    tab.page.emulate_media(color_scheme=scheme)

    def audit(path: str) -> list[str]:
        background = tab.page.evaluate("getComputedStyle(document.body).backgroundColor")
        channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
        if (sum(channels) < 3 * 128) != (scheme == "dark"):
            return [f"({scheme}) the page background is {background}: not the {scheme} scheme"]
        return [f"({scheme}) {problem}" for problem in run(tab, "contrast")]

    every_page(tab, live_server, lang, audit)


def keyboard_problems(tab: Tab, path: str, status: int, lang: str) -> list[str]:
    """The skip link comes first and moves focus to ``main``; the first tab stops each
    show a focus indicator (outline or box-shadow) they do not have unfocused."""
    page = tab.page
    problems: list[str] = []
    page.keyboard.press("Tab")
    first, _style, _in_main, is_skip = run(tab, "focusMark", index=0)
    if not is_skip:
        problems.append(f"keyboard: the first tab stop is {first}, not the skip link")
    else:
        # Following the link focuses main#content (it has tabindex=-1), so the next Tab
        # goes on from inside main.
        page.keyboard.press("Enter")
        target = page.evaluate("document.querySelector(':target')?.id ?? ''")
        if target != "content":
            problems.append(f"keyboard: the skip link targets #{target}, not main#content")
        focused, tag, element_id = run(tab, "activeElement")
        if (tag, element_id) != ("main", "content"):
            problems.append(f"keyboard: the skip link leaves focus on {focused}, not main")

    load(tab, path, status, lang)
    stops: list[tuple[str, dict[str, Any]]] = []
    for index in range(TAB_STOPS):
        page.keyboard.press("Tab")
        described, style, _in_main, _skip = run(tab, "focusMark", index=index)
        stops.append((described, json.loads(style)))
        if described == "(nothing focused)":
            break
    unfocused = run(tab, "unfocused")
    for index, ((described, focused), before) in enumerate(zip(stops, unfocused, strict=False)):
        if described == "(nothing focused)":
            break
        rest = json.loads(before)
        if not focused.get("visible"):
            problems.append(f"keyboard: tab stop {index + 1} is not visible: {described}")
        changed = focused["outline"] != rest["outline"] and focused["outline"] != "none"
        shadow = focused["boxShadow"] != rest["boxShadow"] and focused["boxShadow"] != "none"
        if not (changed or shadow):
            problems.append(
                f"keyboard: tab stop {index + 1} shows no focus indicator: {described}: "
                f"focused outline={focused['outline']} box-shadow={focused['boxShadow']}; "
                f"unfocused outline={rest['outline']} box-shadow={rest['boxShadow']}"
            )
    return problems


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_skip_link_and_focus_indicators(
    tab: Tab, live_server: LiveServer, lang: str
) -> None:
    statuses = {path: status for path, _name, status in PAGES}
    every_page(
        tab, live_server, lang, lambda path: keyboard_problems(tab, path, statuses[path], lang)
    )


@pytest.mark.parametrize("lang", LANGS)
def test_no_sideways_scrolling_on_a_phone(tab: Tab, live_server: LiveServer, lang: str) -> None:
    tab.page.set_viewport_size(PHONE)
    shots = {"home", "event"}

    def audit(path: str) -> list[str]:
        name = next(name for p, name, _status in PAGES if p == path)
        if name in shots:
            tab.screenshot(f"mobile-{name}")
        return list(run(tab, "overflow"))

    every_page(tab, live_server, lang, audit)
