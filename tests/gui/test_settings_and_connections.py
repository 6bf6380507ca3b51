"""Remembered settings and connection descriptions."""

from __future__ import annotations

import pytest

import ei_desktop
from ei_desktop.gui.connections import ConnectionSpec, server_endpoints


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("http://10.1.2.3:4800", ("http://10.1.2.3:4800/v1", "http://10.1.2.3:4800")),
        ("localhost:4800", ("http://localhost:4800/v1", "http://localhost:4800")),
        ("http://host:80/v1/", ("http://host:80/v1", "http://host:80")),
        ("https://ei.example.org", ("https://ei.example.org/v1", "https://ei.example.org")),
    ],
)
def test_server_address_to_endpoints(address, expected):
    assert server_endpoints(address) == expected


@pytest.mark.parametrize("address", ["", "ftp://x:1", "http://"])
def test_bad_server_addresses_are_refused(address):
    with pytest.raises(ValueError):
        server_endpoints(address)


def test_studio_defaults_to_the_cloud():
    spec = ConnectionSpec.studio()
    assert spec.api_endpoint == ei_desktop.DEFAULT_API_ENDPOINT
    assert spec.ingestion_endpoint == ei_desktop.DEFAULT_INGESTION_ENDPOINT
    assert spec.title() == "Edge Impulse"


def test_settings_remember_connections_and_recent_projects(settings, tmp_path):
    assert settings.last_connection() is None
    for n in range(10):
        settings.save_last_connection(ConnectionSpec.local(str(tmp_path / f"p{n}")))
    server = ConnectionSpec.server("http://127.0.0.1:4800")
    settings.save_last_connection(server)
    settings.sync()
    from ei_desktop.gui.settings import Settings

    again = Settings(settings.file_name)
    assert again.last_connection() == server
    recent = again.recent_projects()
    assert recent[0] == str(tmp_path / "p9") and len(recent) == 8
    # the key is never in the settings file
    assert "key" not in open(settings.file_name).read().lower()


def test_settings_tolerate_garbage(settings):
    settings.qsettings.setValue("connection/last", "{not json")
    settings.qsettings.setValue("connection/recent", "[1, 2")
    assert settings.last_connection() is None
    assert settings.recent_projects() == []
