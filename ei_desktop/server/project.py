"""What the server needs of the project it serves: the samples, through the one
:class:`~ei_desktop.core.backends.base.Backend` protocol, and a few project settings that the
Edge Impulse API shows (name, creation date) or that the server keeps (its API and HMAC keys).

A local project (:class:`~ei_desktop.core.backends.local.LocalBackend`) is one; the server
never relies on anything else of it.
"""

from __future__ import annotations

from typing import Optional, Protocol, runtime_checkable

from ei_desktop.core.backends.base import Backend, SampleQuery


@runtime_checkable
class ServedProject(Backend, Protocol):
    """A backend the server can serve."""

    #: who the project's history records changes by (the server sets ``serve``)
    actor: str

    @property
    def name(self) -> str:
        """The project's name."""
        ...

    def sample_info_columns(
        self, query: SampleQuery, *, offset: int = 0, limit: Optional[int] = None
    ) -> bytes:
        """Id, stored name, category and label of the matches (all, or the page
        ``offset``/``limit``) as the JSON text ``{"id": [...], "filename": [...],
        "category": [...], "label": [...]}``, in query order.
        """
        ...

    def setting(self, key: str) -> Optional[str]:
        """A project-level setting (``created``, ``api_key``, ``hmac_key``), or ``None``."""
        ...

    def set_setting(self, key: str, value: str) -> None:
        """Store a project-level setting."""
        ...
