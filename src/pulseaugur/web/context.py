"""What every request handler is given: storage, the clock, the template engines (one per
UI language), and the configuration the pages may describe (the settings and the score
weights in use)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pulseaugur.config import Settings
from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights
from pulseaugur.storage.base import Storage
from pulseaugur.web import present
from pulseaugur.web.i18n import (
    DEFAULT_LANGUAGE,
    HTML_LANG,
    LANGUAGES,
    SWITCH_LABEL,
    UiLanguage,
    UiText,
    content_lang,
    request_language,
    translations,
    ui_text,
)

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


class BadRequest(Exception):
    """The request asked for something malformed (a bad cursor or limit): HTTP 400."""

    status = 400


def make_environment(language: UiLanguage = DEFAULT_LANGUAGE) -> Environment:
    """The Jinja2 environment of one UI language: autoescaping always on, undefined names
    are errors, gettext (``_``, ``gettext``, ``ngettext``, newstyle: ``%(name)s``
    placeholders, arguments escaped) bound to that language's catalog, and the
    language's formatters as globals. Built once per language and only read afterwards,
    so rendering is thread-safe."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    text = ui_text(language)
    env.globals.update(
        ui=text,
        ui_lang=language,
        html_lang=HTML_LANG[language],
        translate=text.gettext,
        language_label=text.language_label,
        content_lang=content_lang,
        language_name=text.language_name,
        safe_url=present.safe_url,
        item_url=present.item_url,
        iso=present.iso,
        utc_text=text.datetime_text,
        date_text=text.date_text,
        number=text.number,
        integer=text.integer,
        reaction=lambda entry: present.reaction(entry, text),
        topic_label=lambda tag: present.topic_label(tag, text),
        topic_path=present.topic_path,
        methods_path=present.METHODS_PATH,
    )
    return env


def make_environments() -> dict[UiLanguage, Environment]:
    """One environment per UI language."""
    return {language: make_environment(language) for language in LANGUAGES}


def _local_target(request: Request | None) -> str:
    """The request's path and query, for the language switch's ``next``."""
    if request is None:
        return "/"
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return target


@dataclass(frozen=True, slots=True)
class WebContext:
    """``settings`` and ``weights`` are the configuration the service runs with (the
    defaults when the app was built without them); pages may describe them, and must
    never show their secrets (``*_api_key``, ``admin_token``) or service URLs.

    ``templates`` is the English environment; ``environments`` holds one per UI
    language (built when the context is)."""

    storage: Storage
    clock: Callable[[], datetime]
    templates: Environment
    settings: Settings = field(default_factory=Settings)
    weights: ScoreWeights = DEFAULT_WEIGHTS
    environments: Mapping[UiLanguage, Environment] = field(default_factory=make_environments)

    def render(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        request: Request | None = None,
        language: UiLanguage | None = None,
    ) -> HTMLResponse:
        """Render a template into an HTML response in the request's UI language
        (``language`` overrides it; English without either). Every page gets ``now``,
        the clock, ``ago`` (relative to now), the language switch's links and the
        current path."""
        if language is None:
            language = (
                request_language(request.headers) if request is not None else DEFAULT_LANGUAGE
            )
        now = self.clock().replace(microsecond=0)
        text = ui_text(language)
        target = _local_target(request)
        values: dict[str, Any] = {
            "now": now,
            "clock": present.clock_text(now),
            "now_iso": present.iso(now),
            "ago": lambda moment: text.ago(moment, now),
            "page_path": request.url.path if request is not None else "",
            "lang_links": [
                {
                    "code": code,
                    "hreflang": HTML_LANG[code],
                    "label": SWITCH_LABEL[code],
                    "href": f"/lang/{code}?next={quote(target, safe='/')}",
                    "current": code == language,
                }
                for code in LANGUAGES
            ],
        }
        values.update(context or {})
        environment = self.environments.get(language, self.templates)
        html = environment.get_template(name).render(values)
        response = HTMLResponse(html, status_code=status_code)
        response.headers["Content-Language"] = HTML_LANG[language]
        return response


def web_context(request: Request) -> WebContext:
    """The app's ``WebContext`` (set by ``create_app``)."""
    return cast(WebContext, request.app.state.web)


def request_text(request: Request) -> UiText:
    """The formatter of the request's UI language."""
    return ui_text(request_language(request.headers))


def render_page(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page for ``request`` in its UI language."""
    return web_context(request).render(name, context, status_code=status_code, request=request)
