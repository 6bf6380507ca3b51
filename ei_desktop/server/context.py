"""What every route needs, resolved once when the app is created (no per-request lookups)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from ei_desktop.server.batching import UploadBatcher
from ei_desktop.server.blocking import BlockingPool
from ei_desktop.server.budget import MemoryBudget
from ei_desktop.server.limits import Limits
from ei_desktop.server.project import ServedProject


@dataclass
class ServerContext:
    """The served project and the server's settings."""

    backend: ServedProject
    project_id: int
    project_name: str
    created: str
    hmac_key: str
    limits: Limits
    pool: BlockingPool
    uploads: UploadBatcher
    budget: MemoryBudget


def context(request: Request) -> ServerContext:
    """The context of the app serving ``request``."""
    return request.app.state.ei
