"""API keys: in the system keyring when there is one, else in a file only the user can read.

The file fallback is JSON ``{account: key}``, written atomically (a temporary file in the same
folder, ``chmod 0600`` before it is renamed over the old one) so a crash never leaves a
half-written or world-readable key file.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Optional

import platformdirs

log = logging.getLogger(__name__)

SERVICE = "ei-desktop"
FILE_NAME = "credentials.json"


def default_credentials_path() -> Path:
    """``<user config dir>/ei-desktop/credentials.json``."""
    return platformdirs.user_config_path(SERVICE, appauthor=False) / FILE_NAME


def _keyring():
    try:
        import keyring
        from keyring.errors import NoKeyringError
    except ImportError:
        return None, None
    return keyring, NoKeyringError


class CredentialStore:
    """Saves and loads API keys, one per account (the API endpoint).

    Args:
        path: the fallback file (default :func:`default_credentials_path`).
        use_keyring: try the system keyring first (tests pass ``False``).
    """

    def __init__(self, path: Optional[Path] = None, *, use_keyring: bool = True) -> None:
        self.path = Path(path) if path is not None else default_credentials_path()
        self.use_keyring = use_keyring
        self._keyring_ok: Optional[bool] = None

    # -- where keys go ------------------------------------------------------------------------

    def keyring_available(self) -> bool:
        """True when a real system keyring backend exists."""
        if not self.use_keyring:
            return False
        if self._keyring_ok is None:
            keyring, no_keyring = _keyring()
            ok = False
            if keyring is not None:
                try:
                    backend = keyring.get_keyring()
                    priority = getattr(backend, "priority", 0)
                    name = type(backend).__module__
                    # the "fail" and "null" backends are what keyring picks when there is none
                    ok = priority > 0 and not name.startswith(
                        ("keyring.backends.fail", "keyring.backends.null")
                    )
                except Exception:  # noqa: BLE001 - any keyring failure means "no keyring"
                    ok = False
            self._keyring_ok = ok
        return self._keyring_ok

    def storage_description(self) -> str:
        """A sentence for the connection dialog saying where a saved key goes."""
        if self.keyring_available():
            return "The API key is saved in the system keyring."
        return (
            f"No system keyring is available: the API key is saved in {self.path}, "
            "readable only by you."
        )

    # -- keys ---------------------------------------------------------------------------------

    def load(self, account: str) -> Optional[str]:
        """The key saved for ``account``, or ``None``."""
        if self.keyring_available():
            keyring, _ = _keyring()
            try:
                key = keyring.get_password(SERVICE, account)
                if key:
                    return key
            except Exception as exc:  # noqa: BLE001
                log.warning("Keyring read failed, using the key file: %s", exc)
        return self._read_file().get(account) or None

    def save(self, account: str, key: str) -> str:
        """Save ``key`` for ``account``; returns :meth:`storage_description`."""
        if self.keyring_available():
            keyring, _ = _keyring()
            try:
                keyring.set_password(SERVICE, account, key)
                self._remove_from_file(account)
                return self.storage_description()
            except Exception as exc:  # noqa: BLE001
                log.warning("Keyring write failed, using the key file: %s", exc)
                self._keyring_ok = False
        keys = self._read_file()
        keys[account] = key
        self._write_file(keys)
        return self.storage_description()

    def delete(self, account: str) -> None:
        """Forget the key of ``account`` wherever it is."""
        if self.keyring_available():
            keyring, _ = _keyring()
            try:
                keyring.delete_password(SERVICE, account)
            except Exception:  # noqa: BLE001 - nothing saved there
                pass
        self._remove_from_file(account)

    # -- the fallback file --------------------------------------------------------------------

    def _read_file(self) -> dict[str, str]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("Cannot read %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}

    def _remove_from_file(self, account: str) -> None:
        keys = self._read_file()
        if account in keys:
            del keys[account]
            self._write_file(keys)

    def _write_file(self, keys: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".credentials-", suffix=".tmp", dir=self.path.parent)
        try:
            os.chmod(tmp, 0o600)  # mkstemp already uses 0600; be explicit before the rename
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(keys, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
