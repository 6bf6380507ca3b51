"""Which remote project a local project syncs with: its link, remembered per project.

The endpoints and the remote's name go to the app's settings under the local project's id;
the API key goes to the credential store (system keyring, else a 0600 file) under an account
naming that project. Nothing of the link is written into the project folder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Optional

from ei_desktop.core import about
from ei_desktop.gui.credentials import CredentialStore
from ei_desktop.gui.settings import Settings


@dataclass(frozen=True)
class SyncLink:
    """A local project's remote.

    Attributes:
        api_endpoint, ingestion_endpoint: where the remote answers.
        remote: the push state's name of the remote (address and project id), known once
            the link was checked.
        name: the remote project's name as shown ("project 12" or its own).
    """

    api_endpoint: str = about.DEFAULT_API_ENDPOINT
    ingestion_endpoint: str = about.DEFAULT_INGESTION_ENDPOINT
    remote: str = ""
    name: str = ""

    def where(self) -> str:
        """The remote in a few words: its name and, for another server, its address."""
        name = self.name or "the remote project"
        if self.api_endpoint == about.DEFAULT_API_ENDPOINT:
            return f"{name} on Edge Impulse"
        return f"{name} at {self.ingestion_endpoint}"


def _settings_key(project_id: int) -> str:
    return f"sync/project-{project_id}"


def credential_account(project_id: int) -> str:
    """The account a local project's sync key is saved under."""
    return f"sync:local-project-{project_id}"


class SyncLinks:
    """Loads and saves the links of local projects (by their id)."""

    def __init__(self, settings: Settings, credentials: CredentialStore) -> None:
        self.settings = settings
        self.credentials = credentials

    def load(self, project_id: int) -> Optional[SyncLink]:
        """The link of project ``project_id``, or ``None`` when it has none."""
        text = self.settings.qsettings.value(_settings_key(project_id))
        if not isinstance(text, str):
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        fields = SyncLink.__dataclass_fields__
        link = SyncLink(**{k: str(v) for k, v in data.items() if k in fields and v})
        return link if link.remote else None

    def key(self, project_id: int) -> Optional[str]:
        """The saved API key of the link (read it off the UI thread: a keyring may block)."""
        return self.credentials.load(credential_account(project_id))

    def save_key(self, project_id: int, api_key: str) -> str:
        """Save the link's key (off the UI thread); returns where it went (a sentence)."""
        return self.credentials.save(credential_account(project_id), api_key)

    def save(self, project_id: int, link: SyncLink) -> None:
        """Remember ``link`` (its endpoints and remote) for project ``project_id``."""
        self.settings.qsettings.setValue(_settings_key(project_id), json.dumps(asdict(link)))
        self.settings.sync()
