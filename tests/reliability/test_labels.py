"""Labels are one Unicode form (NFC) and never hold control characters, whichever way they
come in: the real command on a local project, the command against a real ``serve``, the
official SDK, and raw HTTP. A bad label fails its own file with a clear error; the rest of the
batch is stored."""

from __future__ import annotations

import json
import os
import re
import socket
import unicodedata
from urllib.parse import quote

import edgeimpulse as ei
import pytest
import requests
from edgeimpulse.data.sample_type import Sample
from reliability_helpers import KEY, Served, run_cli

from ei_desktop.core.labels import LabelError, normalize_label

NFC = unicodedata.normalize("NFC", "café")
NFD = unicodedata.normalize("NFD", "café")


def csv(n: int) -> str:
    return f"timestamp,x\n0,{n}\n10,{n + 1}\n"


def test_the_two_forms_differ_and_normalize_label_makes_them_one():
    assert NFC != NFD
    assert normalize_label(NFD) == normalize_label(NFC) == NFC
    for bad, name in [("a\x00b", "U+0000 NUL"), ("a\tb", "U+0009 TAB"), ("a\x1bb", "U+001B")]:
        with pytest.raises(LabelError, match=re.escape(name)):
            normalize_label(bad)


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path / "served")
    yield server
    server.close()


def labels_listed(*where, env=None) -> list[str]:
    listed = run_cli("ls", "--json", *where, env=env)
    assert listed.returncode == 0, listed.stderr
    return [s["label"] for s in json.loads(listed.stdout)]


# -- the command, local project -----------------------------------------------------------------


def test_cli_label_option_in_either_form_gives_one_label(tmp_path):
    project = tmp_path / "project"
    for n, label in enumerate([NFC, NFD]):
        (tmp_path / f"f{n}").mkdir()
        (tmp_path / f"f{n}" / f"x.{n}.csv").write_text(csv(n))
        result = run_cli(
            "upload", tmp_path / f"f{n}", "--project", project, "--create", "--label", label
        )
        assert result.returncode == 0, result.stderr
    assert labels_listed("--project", project) == [NFC, NFC]


def test_cli_label_option_with_a_control_character_is_refused(tmp_path):
    (tmp_path / "x.1.csv").write_text(csv(1))
    result = run_cli(
        "upload", tmp_path / "x.1.csv", "--project", tmp_path / "p", "--create", "--label", "a\x1bb"
    )
    assert result.returncode == 2
    assert "U+001B" in result.stderr and "'a\\x1bb'" in result.stderr


@pytest.mark.skipif(os.name == "nt", reason="control characters in file names are POSIX")
def test_cli_labels_from_file_names_are_normalised_and_bad_ones_fail_alone(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / f"{NFC}.1.csv").write_text(csv(1))
    (data / f"{NFD}.2.csv").write_text(csv(2))  # another file: the names differ in bytes
    (data / "bell\x07.3.csv").write_text(csv(3))
    (data / "tab\t.4.csv").write_text(csv(4))
    (data / "plain.5.csv").write_text(csv(5))
    project = tmp_path / "project"

    result = run_cli("upload", data, "--project", project, "--create")

    assert result.returncode == 1
    assert "Uploaded 3 samples" in result.stdout
    assert "2 files failed" in result.stderr
    assert "U+0007" in result.stderr and "U+0009 TAB" in result.stderr
    assert sorted(labels_listed("--project", project)) == sorted([NFC, NFC, "plain"])


def test_relabelling_local_samples_in_either_form_gives_one_label_and_refuses_controls(tmp_path):
    project = tmp_path / "project"
    for n in range(2):
        (tmp_path / f"x.{n}.csv").write_text(csv(n))
    stored = run_cli(
        "upload", tmp_path / "x.0.csv", tmp_path / "x.1.csv", "--project", project, "--create"
    )
    assert stored.returncode == 0, stored.stderr
    for sample_id, label in ((1, NFC), (2, NFD)):
        done = run_cli("label", label, sample_id, "--yes", "--project", project)
        assert done.returncode == 0, done.stderr
    assert labels_listed("--project", project) == [NFC, NFC]

    refused = run_cli("label", "a\x01b", 1, "--yes", "--project", project)  # argv holds no NUL
    assert refused.returncode != 0 and "U+0001" in refused.stderr
    refused = run_cli("rename", 1, "x\x1by", "--project", project)
    assert refused.returncode != 0 and "U+001B" in refused.stderr
    assert labels_listed("--project", project) == [NFC, NFC]


# -- the command against a real server (labels normalised by the HTTP client) ------------------


def test_cli_upload_to_a_server_in_either_form_gives_one_label(tmp_path, served):
    for n, label in enumerate([NFC, NFD]):
        (tmp_path / f"x.{n}.csv").write_text(csv(n))
        result = run_cli(
            "upload", tmp_path / f"x.{n}.csv", "--api-key", KEY, "--label", label, env=served.env()
        )
        assert result.returncode == 0, result.stderr
    assert labels_listed("--api-key", KEY, env=served.env()) == [NFC, NFC]


# -- the official SDK and raw HTTP against a real server ---------------------------------------


@pytest.fixture
def sdk(served, monkeypatch):
    monkeypatch.setattr(ei, "API_KEY", KEY)
    monkeypatch.setattr(ei, "API_ENDPOINT", served.base + "/v1")
    monkeypatch.setattr(ei, "INGESTION_ENDPOINT", served.base)
    return served


def post(served, label_header: bytes, n: int) -> requests.Response:
    return requests.post(
        f"{served.base}/api/training/files",
        headers={"x-api-key": KEY, "x-label": label_header},
        files=[("data", (f"h{n}.csv", csv(n).encode(), "text/csv"))],
        timeout=30,
    )


def test_raw_http_labels_in_either_form_and_any_encoding_give_one_label(served):
    sent = [
        NFC.encode("utf-8"),
        NFD.encode("utf-8"),
        quote(NFD).encode(),  # percent-encoded, as the Edge Impulse CLI sends it
        NFC.encode("latin-1"),  # what the official SDK sends
    ]
    for n, header in enumerate(sent):
        response = post(served, header, n)
        assert response.status_code == 200, response.text
        assert response.json()["success"], response.text
    assert {info for info in labels_listed("--api-key", KEY, env=served.env())} == {NFC}


def test_raw_http_label_with_nul_is_refused_with_a_clear_error(served):
    refused = post(served, b"a%00b", 1)  # percent-encoded: a NUL no HTTP parser stops first
    assert refused.status_code == 400
    assert "U+0000 NUL" in refused.json()["error"]
    refused = post(served, quote("line\nbreak").encode(), 2)
    assert refused.status_code == 400 and "line feed" in refused.json()["error"]
    assert post(served, b"fine", 3).status_code == 200
    assert labels_listed("--api-key", KEY, env=served.env()) == ["fine"]


def test_raw_http_relabel_and_rename_normalise_and_refuse_controls(served):
    response = post(served, b"first", 1)
    sample_id = response.json()["files"][0]["sampleId"]
    api = f"{served.base}/v1/api/{served.client.project_id()}"
    headers = {"x-api-key": KEY}

    def edit(path: str, body: dict) -> requests.Response:
        return requests.post(
            f"{api}/raw-data/{sample_id}/{path}", headers=headers, json=body, timeout=30
        )

    assert edit("edit-label", {"label": NFD}).status_code == 200
    assert labels_listed("--api-key", KEY, env=served.env()) == [NFC]
    refused = edit("edit-label", {"label": "a\x00b"})
    assert refused.status_code == 400 and "U+0000 NUL" in refused.json()["error"]
    refused = edit("rename", {"name": "a\tb"})
    assert refused.status_code == 400 and "U+0009 TAB" in refused.json()["error"]
    assert labels_listed("--api-key", KEY, env=served.env()) == [NFC]


def test_a_request_the_http_parser_refuses_is_answered_not_reset(served):
    """A raw NUL in a header is refused before the app sees it; the client, still sending
    its body, must read the 400 rather than a connection reset (which made the official SDK
    abort the whole batch). Sent in one go, 16 of 20 such requests were reset before."""
    body = b"x" * (4 << 20)
    head = (
        f"POST /api/training/data HTTP/1.1\r\nHost: x\r\nx-api-key: {KEY}\r\n"
        f"x-label: a\x00b\r\nContent-Type: text/csv\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    for _ in range(10):
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
            sock.sendall(head + body)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert labels_listed("--api-key", KEY, env=served.env()) == []


def test_official_sdk_batch_with_control_character_labels_stores_the_rest(sdk):
    samples = [
        Sample(filename="a.csv", data=csv(1), label=NFC),
        Sample(filename="b.csv", data=csv(2), label="a\x00b"),
        Sample(filename="c.csv", data=csv(3), label="ok"),
        Sample(filename="d.csv", data=csv(4), label="a\x01b"),
    ]
    response = ei.data.upload_samples(samples)
    assert sorted(s.sample.filename for s in response.successes) == ["a.csv", "c.csv"]
    errors = {f.sample.filename: f.error for f in response.fails}
    assert sorted(errors) == ["b.csv", "d.csv"]
    # a raw NUL in a header is refused by the HTTP parser itself, before the app sees it
    assert "U+0001" in errors["d.csv"]
    assert sorted(labels_listed("--api-key", KEY, env=sdk.env())) == sorted([NFC, "ok"])


def test_structured_label_companions_are_normalised_and_checked(served):
    def companion(mapping: dict) -> tuple:
        doc = {"version": 1, "type": "structured-labels", "structuredLabels": mapping}
        return ("structured_labels.labels", json.dumps(doc).encode(), "application/json")

    segments = {
        "good.csv": [{"label": NFD, "startIndex": 0, "endIndex": 1}],
        "bad.csv": [{"label": "x\x00y", "startIndex": 0, "endIndex": 1}],
    }
    response = requests.post(
        f"{served.base}/api/training/files",
        headers={"x-api-key": KEY},
        files=[
            ("data", ("good.csv", csv(1).encode(), "text/csv")),
            ("data", ("bad.csv", csv(2).encode(), "text/csv")),
            ("data", companion(segments)),
        ],
        timeout=30,
    )
    assert response.status_code == 200, response.text
    good, bad = response.json()["files"]  # one entry per data part, in order
    assert good["success"], good
    assert not bad["success"] and "U+0000 NUL" in bad["error"]
    listed = json.loads(run_cli("ls", "--json", "--api-key", KEY, env=served.env()).stdout)
    assert [s["structuredLabels"][0]["label"] for s in listed] == [NFC]
    assert [s["label"] for s in listed] == [NFC]
