"""The analysts' web pages: server-rendered (Jinja2), a little vanilla JS, every asset vendored.

``install(app)`` adds the pages under ``/ui/``, the sign-in page at ``/login`` and the assets
under ``/ui/static/`` to the API's app (``pepgraph.api.app.create_app`` calls it). The pages
share the API's keys, roles, limits and audit log: the sign-in page checks an API key and keeps it
in an HttpOnly, SameSite=Strict cookie (``pepgraph_key``), which the API's guard accepts like an
``Authorization: ApiKey ...`` header. Every page has a JSON twin on the same route (``.json``
suffix, or ``Accept: application/json``). See docs/web.md.
"""

from __future__ import annotations

from typing import Any

PREFIX = "/ui"
STATIC_PREFIX = "/ui/static/"


def install(app: Any) -> None:
    """Mount the pages on ``app`` and make sign-in and the static assets public."""
    from pepgraph.web import batch, pages

    pages.mount(app)
    app.state.on_shutdown.append(batch.discard_all)
    app.state.public_paths |= {"/login", "/logout"}
    app.state.public_prefixes.append(STATIC_PREFIX)


__all__ = ["install", "PREFIX", "STATIC_PREFIX"]
