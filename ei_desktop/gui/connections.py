"""Where the window's samples come from: a local project folder, Edge Impulse, or an
``ei-desktop serve`` address. Only the description is stored; API keys live in
:mod:`ei_desktop.gui.credentials`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional
from urllib.parse import urlsplit

from ei_desktop.core import about

LOCAL = "local"
STUDIO = "studio"
SERVER = "server"


def server_endpoints(address: str) -> tuple[str, str]:
    """API and ingestion endpoints of an ``ei-desktop serve`` address.

    ``http://host:port`` → (``http://host:port/v1``, ``http://host:port``). A missing scheme
    means ``http``. Raises ``ValueError`` for an address without a host.
    """
    text = address.strip()
    if not text:
        raise ValueError("Enter the server address, for example http://192.168.1.20:4800")
    if "://" not in text:
        text = f"http://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{address!r} is not a server address (expected http://host:port)")
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return f"{base}/v1", base


@dataclass(frozen=True)
class ConnectionSpec:
    """A place to open.

    Attributes:
        kind: :data:`LOCAL`, :data:`STUDIO` or :data:`SERVER`.
        path: the project folder (local).
        create: make a new project in ``path`` if it is not one yet (local; never saved, so
            reopening a remembered folder never creates one).
        api_endpoint, ingestion_endpoint: the HTTP endpoints (studio and server).
        address: the address the user typed (server).
    """

    kind: str
    path: Optional[str] = None
    api_endpoint: Optional[str] = None
    ingestion_endpoint: Optional[str] = None
    address: Optional[str] = None
    create: bool = False

    @classmethod
    def local(cls, path: str, *, create: bool = False) -> ConnectionSpec:
        """A local project folder (a new project there only with ``create``)."""
        return cls(LOCAL, path=str(path), create=create)

    @classmethod
    def studio(
        cls, api_endpoint: Optional[str] = None, ingestion_endpoint: Optional[str] = None
    ) -> ConnectionSpec:
        """Edge Impulse (the cloud by default)."""
        return cls(
            STUDIO,
            api_endpoint=api_endpoint or about.DEFAULT_API_ENDPOINT,
            ingestion_endpoint=ingestion_endpoint or about.DEFAULT_INGESTION_ENDPOINT,
        )

    @classmethod
    def server(cls, address: str) -> ConnectionSpec:
        """An ``ei-desktop serve`` address (raises ``ValueError`` if malformed)."""
        api, ingestion = server_endpoints(address)
        return cls(SERVER, api_endpoint=api, ingestion_endpoint=ingestion, address=address.strip())

    @property
    def is_remote(self) -> bool:
        """True for Edge Impulse and servers (an API key is needed)."""
        return self.kind in (STUDIO, SERVER)

    @property
    def credential_account(self) -> str:
        """The name the API key is stored under (one key per API endpoint)."""
        return self.api_endpoint or ""

    def title(self) -> str:
        """A short text for the window title and the status bar."""
        if self.kind == LOCAL:
            return str(self.path)
        if self.kind == SERVER:
            return self.address or str(self.ingestion_endpoint)
        if self.api_endpoint == about.DEFAULT_API_ENDPOINT:
            return "Edge Impulse"
        return f"Edge Impulse ({self.api_endpoint})"

    def to_dict(self) -> dict:
        """A plain dict for settings."""
        return {k: v for k, v in asdict(self).items() if v is not None and k != "create"}

    @classmethod
    def from_dict(cls, data: object) -> Optional[ConnectionSpec]:
        """The spec stored by :meth:`to_dict`, or ``None`` if ``data`` is not one."""
        if not isinstance(data, dict) or data.get("kind") not in (LOCAL, STUDIO, SERVER):
            return None
        fields = ("kind", "path", "api_endpoint", "ingestion_endpoint", "address")
        values = {k: str(data[k]) for k in fields if data.get(k) not in (None, "")}
        if values["kind"] == LOCAL and "path" not in values:
            return None
        if values["kind"] != LOCAL and "api_endpoint" not in values:
            return None
        return cls(**values)
