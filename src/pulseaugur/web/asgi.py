"""The web app as an ASGI factory, for serving it with several worker processes::

    uvicorn --factory pulseaugur.web.asgi:app_from_settings --workers 2 \\
        --loop uvloop --http httptools --no-access-log

Each worker opens the configured database (settings as ``load_settings`` reads them:
``pulseaugur.toml`` or ``PULSEAUGUR_CONFIG``, then ``PULSEAUGUR_*`` variables) and keeps
its own render cache and live-update poller; both read the database, so every worker
shows every change. The pipeline runs elsewhere (``pulseaugur run`` or a worker-less
``pulseaugur serve``): these processes only serve.
"""

from __future__ import annotations

from fastapi import FastAPI

from pulseaugur.config import load_settings
from pulseaugur.rank import ScoreWeights
from pulseaugur.storage import open_storage
from pulseaugur.web.app import create_app


def app_from_settings() -> FastAPI:
    """A web app over the configured database, with the configured settings."""
    settings = load_settings()
    storage = open_storage(settings.resolved_database_url)
    return create_app(storage, settings=settings, weights=ScoreWeights.from_settings(settings))
