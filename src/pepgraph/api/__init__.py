"""The HTTP API: yente-compatible matching, reconciliation, search and entities — locked with
API keys, audited, rate-limited. ``create_app`` builds the FastAPI app; ``pepgraph serve`` runs
it on uvicorn. See docs/api.md."""

from pepgraph.api.app import ApiSettings, create_app

__all__ = ["ApiSettings", "create_app"]
