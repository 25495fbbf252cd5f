"""The web app: server-rendered pages, the JSON API and the static files.

``create_app(storage)`` builds the ASGI app; see ``app.py`` for the wiring, ``pages.py``
and ``api.py`` for the routes.
"""

from pulseaugur.web.app import create_app

__all__ = ["create_app"]
