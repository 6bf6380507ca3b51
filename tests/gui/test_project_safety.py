"""Opening folders from the window: a mistyped folder creates nothing, a damaged project is
one clear message and keeps its content, creating a project is an explicit tick."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from gui_helpers import closed, seed_csv, wait_listed

from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.backends.local import LocalBackend


def test_a_mistyped_folder_creates_nothing_until_asked(qtbot, make_window, project, tmp_path):
    window = make_window(project.path)
    typo = tmp_path / "projcet"
    dialog = window.connection.show_connection_dialog()
    dialog.path_edit.setText(str(typo))
    assert not dialog.create_check.isChecked()
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=10000)
    message = dialog.error_label.text()
    assert "No project at" in message and "Nothing was created" in message
    assert not typo.exists()
    assert window.backend is project or window.spec.path == str(project.path)

    dialog.create_check.setChecked(True)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10000)
    wait_listed(qtbot, window)
    assert (typo / "project.sqlite3").is_file()
    assert window.spec.path == str(typo)


def test_an_empty_folder_on_the_command_line_is_refused(qtbot, make_window, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    window = make_window()
    window.connection.open_startup(str(empty))
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10000)
    assert "is not an ei-desktop project" in window.message_bar.text.text()
    assert list(empty.iterdir()) == []
    assert window.backend is None


def garble(database: Path) -> None:
    """Random bytes over every page but the first (the header and the schema)."""
    size = database.stat().st_size
    rng = random.Random(7)
    with open(database, "r+b") as handle:
        handle.seek(4096)
        handle.write(bytes(rng.getrandbits(8) for _ in range(size - 4096)))


@pytest.mark.parametrize(
    ("damage", "samples"),
    [(lambda database: database.write_bytes(b""), 5), (garble, 300)],
    ids=["empty database", "garbage inside the database"],
)
def test_a_damaged_project_is_one_message_and_keeps_its_content(
    qtbot, make_window, tmp_path, damage, samples
):
    folder = tmp_path / "project"
    backend = LocalBackend(folder, create=True)
    seed_csv(backend, samples)
    # and two samples too large to be kept inside the database: their files must survive
    rows = "".join(f"{t * 10},{t % 97}\n" for t in range(12_000))
    big = [UploadItem(f"big.{n}.csv", f"timestamp,x\n{rows}999999,{n}\n".encode()) for n in (1, 2)]
    assert all(result.success for result in backend.upload(big))
    backend.close()
    blobs = sorted(p.name for p in (folder / "blobs").glob("??/*"))
    assert len(blobs) == 2
    damage(folder / "project.sqlite3")
    window = make_window()
    window.connection.open_startup(str(folder))
    qtbot.waitUntil(lambda: window.message_bar.isVisible(), timeout=10000)
    text = window.message_bar.text.text()
    assert "is damaged" in text and "check --recover" in text
    assert "Traceback" not in text and "\n" not in text
    assert window.backend is None
    assert sorted(p.name for p in (folder / "blobs").glob("??/*")) == blobs
