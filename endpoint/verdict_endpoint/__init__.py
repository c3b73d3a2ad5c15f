"""Verdict vote endpoint (ASGI): stores readers' votes, returns the community tallies.

``create_app(Settings(bundles=[...]))`` gives the Starlette app; ``verdict serve``
(``verdict_endpoint.cli.serve``) runs it with uvicorn.
"""

from .app import create_app
from .errors import StartupError
from .settings import Settings, load_settings

__all__ = ["Settings", "StartupError", "create_app", "load_settings"]
