"""One way to write sizes, durations and counts everywhere."""

from __future__ import annotations

import pytest

from ei_desktop.core import display


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1,023 bytes"),
        (2048, "2.0 KB"),
        (50_000, "48.8 KB"),
        (310 * 1024, "310 KB"),
        (100 * 1024 * 1024, "100 MB"),
        (5 * 1024**3, "5.0 GB"),
    ],
)
def test_sizes(n, text):
    assert display.size(n) == text


@pytest.mark.parametrize(
    "ms, text",
    [
        (850, "850 ms"),
        (2500, "2.5 s"),
        (42_000, "42 s"),
        (185_000, "3 min 05 s"),
        (3_720_000, "1 h 02 min"),
    ],
)
def test_durations(ms, text):
    assert display.duration(ms) == text


def test_counts_and_plurals():
    assert display.count(12345) == "12,345"
    assert display.plural(1, "sample") == "1 sample"
    assert display.plural(2, "file") == "2 files"
    assert display.plural(3, "entry", "entries") == "3 entries"
    assert display.frequency(100) == "100 Hz" and display.frequency(16000) == "16 kHz"
    assert display.frequency(0) == ""


def test_a_file_object_over_the_limit_is_not_said_to_be_the_limit(tmp_path):
    import io

    from ei_desktop.core.backends.base import UploadItem
    from ei_desktop.core.backends.local import LocalBackend

    with LocalBackend(tmp_path / "p", create=True, max_file_bytes=1024) as local:
        big = b"timestamp,x\n" + b"".join(b"%d,1\n" % i for i in range(2000))
        (result,) = local.upload([UploadItem("big.csv", lambda: io.BytesIO(big))])
    assert result.error == "The file is too large (over the limit of 1.0 KB)"


def test_a_sample_from_a_file_object_over_the_limit_names_its_size(tmp_path):
    import io

    from ei_desktop import data
    from ei_desktop.core.backends.local import LocalBackend

    big = b"timestamp,x\n" + b"".join(b"%d,1\n" % i for i in range(2000))
    path = tmp_path / "big.csv"
    path.write_bytes(big)
    local = LocalBackend(tmp_path / "p", create=True, max_file_bytes=1024)
    with local, open(path, "rb") as handle:
        samples = [
            data.Sample(data=handle, filename="file.csv"),
            data.Sample(data=io.BytesIO(big), filename="bytes.csv"),
        ]
        response = data.upload_samples(samples, project=local)
    size = display.size(len(big))
    assert [f.error for f in response.fails] == [
        f"The file is too large ({size}; the limit is 1.0 KB)"
    ] * 2
