"""API keys: the system keyring when there is one, else a 0600 file written atomically."""

from __future__ import annotations

import os
import stat

import pytest

from ei_desktop.gui import credentials
from ei_desktop.gui.credentials import CredentialStore


class MemoryKeyring:
    """Stands in for a system keyring (a real KeyringBackend subclass would register itself
    for the whole test session)."""

    priority = 10

    def __init__(self):
        self.store = {}

    def get_keyring(self):
        return self

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


def test_without_a_keyring_the_key_goes_to_a_private_file(tmp_path):
    store = CredentialStore(tmp_path / "cfg" / "credentials.json", use_keyring=False)
    assert store.load("https://studio.edgeimpulse.com/v1") is None
    note = store.save("https://studio.edgeimpulse.com/v1", "ei_secret")
    assert "No system keyring" in note and str(store.path) in note
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.load("https://studio.edgeimpulse.com/v1") == "ei_secret"
    store.save("http://127.0.0.1:4800/v1", "other")
    again = CredentialStore(store.path, use_keyring=False)
    assert again.load("http://127.0.0.1:4800/v1") == "other"
    # no temporary files left behind
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["credentials.json"]
    store.delete("https://studio.edgeimpulse.com/v1")
    assert store.load("https://studio.edgeimpulse.com/v1") is None
    assert store.load("http://127.0.0.1:4800/v1") == "other"


def test_this_machine_has_no_keyring_and_the_store_says_so(tmp_path):
    store = CredentialStore(tmp_path / "c.json")
    if store.keyring_available():
        pytest.skip("a system keyring is installed here")
    assert not store.keyring_available()
    store.save("acct", "key")
    assert store.path.exists()


def test_a_failed_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    store = CredentialStore(tmp_path / "c.json", use_keyring=False)
    store.save("a", "1")

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("ei_desktop.gui.credentials.json.dump", broken_dump)
    with pytest.raises(OSError):
        store.save("b", "2")
    monkeypatch.undo()
    assert store.load("a") == "1" and store.load("b") is None
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_with_a_keyring_the_key_is_kept_there(tmp_path, monkeypatch):
    memory = MemoryKeyring()
    monkeypatch.setattr(credentials, "_keyring", lambda: (memory, Exception))
    store = CredentialStore(tmp_path / "c.json")
    assert store.keyring_available()
    assert "system keyring" in store.save("acct", "k1")
    assert memory.store[("ei-desktop", "acct")] == "k1"
    assert not store.path.exists()
    assert store.load("acct") == "k1"
    store.delete("acct")
    assert store.load("acct") is None
