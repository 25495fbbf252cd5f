"""The sources page: every source with its tier, kind and health.

    GET /sources     sources by tier then name: kind, tier, health, when it was last
                     polled successfully, its last error, how many items it gave and when
                     its newest item was published

Health is ``paused`` for a source not polled any more (disabled by an operator, or
paused after failing for days), ``failing`` while its recent polls fail, ``ok`` once a
poll succeeded since, and ``new`` before its first poll.
"""

from __future__ import annotations

from typing import Final, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from pulseaugur.storage.base import SourceHealth, SourceStatus
from pulseaugur.web.context import render_page, web_context
from pulseaugur.web.i18n import N_

router = APIRouter(include_in_schema=False)

Health = Literal["ok", "failing", "paused", "new"]
HEALTH_LABELS: Final[dict[Health, str]] = {
    "ok": N_("ok"),
    "failing": N_("failing"),
    "paused": N_("paused"),
    "new": N_("not polled yet"),
}
MAX_ERROR_CHARS: Final = 200


_SHOWN_AS: Final[dict[SourceStatus, Health]] = {
    "ok": "ok",
    "failing": "failing",
    "paused": "paused",
    "disabled": "paused",
    "pending": "new",
}


def health(row: SourceHealth) -> Health:
    """The health of one source as the page shows it (see the module docstring): the
    storage's ``SourceHealth.status``, with disabled sources shown as paused."""
    return _SHOWN_AS[row.status]


@router.api_route("/sources", methods=["GET", "HEAD"], response_class=HTMLResponse)
def sources_page(request: Request) -> HTMLResponse:
    """Every source with its tier and health."""
    rows = web_context(request).storage.source_health()
    counts: dict[Health, int] = {"ok": 0, "failing": 0, "paused": 0, "new": 0}
    views = []
    for row in rows:
        state = health(row)
        counts[state] += 1
        error = row.state.last_error if row.state is not None else None
        views.append(
            {
                "row": row,
                "health": state,
                "health_label": HEALTH_LABELS[state],
                "error": (error or "")[:MAX_ERROR_CHARS],
                "paused_reason": row.state.paused_reason if row.state is not None else None,
            }
        )
    return render_page(request, "sources.html", {"sources": views, "counts": counts})
