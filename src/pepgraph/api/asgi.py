"""The ASGI entry point uvicorn imports in each worker: the app over ``PEPGRAPH_DB``."""

import os

from pepgraph.api.app import create_app

app = create_app(os.environ.get("PEPGRAPH_DB") or None, no_auth=bool(os.environ.get("PEPGRAPH_NO_AUTH")))
