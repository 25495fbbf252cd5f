"""What every request handler is given: storage, the clock, the template engine, and the
configuration the pages may describe (the settings and the score weights in use)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pulseaugur.config import Settings
from pulseaugur.rank import DEFAULT_WEIGHTS, ScoreWeights
from pulseaugur.storage.base import Storage
from pulseaugur.web import present

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


class BadRequest(Exception):
    """The request asked for something malformed (a bad cursor or limit): HTTP 400."""

    status = 400


def make_environment() -> Environment:
    """The Jinja2 environment: autoescaping always on, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        language_label=present.language_label,
        language_name=present.language_name,
        safe_url=present.safe_url,
        item_url=present.item_url,
        iso=present.iso,
        utc_text=present.utc_text,
        number=present.number,
        plural=present.plural,
        reaction=present.reaction,
        methods_path=present.METHODS_PATH,
    )
    return env


@dataclass(frozen=True, slots=True)
class WebContext:
    """``settings`` and ``weights`` are the configuration the service runs with (the
    defaults when the app was built without them); pages may describe them, and must
    never show their secrets (``*_api_key``) or service URLs."""

    storage: Storage
    clock: Callable[[], datetime]
    templates: Environment
    settings: Settings = field(default_factory=Settings)
    weights: ScoreWeights = DEFAULT_WEIGHTS

    def render(
        self,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
    ) -> HTMLResponse:
        """Render a template into an HTML response; every page gets ``now``."""
        now = self.clock().replace(microsecond=0)
        values: dict[str, Any] = {
            "now": now,
            "clock": present.clock_text(now),
            "now_iso": present.iso(now),
        }
        values.update(context or {})
        html = self.templates.get_template(name).render(values)
        return HTMLResponse(html, status_code=status_code)


def web_context(request: Request) -> WebContext:
    """The app's ``WebContext`` (set by ``create_app``)."""
    return cast(WebContext, request.app.state.web)
