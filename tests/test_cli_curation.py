"""The commands that change samples (label, move, rename, meta, enable, disable, crop, split)
and read or step through the history (summary, history, undo, redo), run as a user runs
them: a real process on a project of real Edge Impulse files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ei_desktop import cli
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.backends.local import LocalBackend

#: file -> category; labels come from the names (wave, idle, hadouken, capacitor)
FILES = {
    "wave.0.cbor": "training",
    "wave.01.json": "training",
    "hadouken.01.wav": "training",
    "idle.0.cbor": "testing",
    "capacitor.01.png": "testing",
}


@pytest.fixture
def project(tmp_path, samples_dir):
    """A local project folder holding the five real sample files."""
    path = tmp_path / "p"
    with LocalBackend(path, create=True) as backend:
        items = [UploadItem(name, samples_dir / name, category=c) for name, c in FILES.items()]
        assert all(r.success for r in backend.upload(items))
    return path


def ei(project, *args, input=None):
    """Run ``ei-desktop ARGS --project PROJECT`` with no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "ei_desktop", *map(str, args), "--project", str(project)],
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )


def listed(project, *args) -> dict[str, dict]:
    result = ei(project, "ls", "--json", *args)
    assert result.returncode == 0, result.stderr
    return {s["filename"]: s for s in json.loads(result.stdout)}


def ids(project) -> dict[str, int]:
    return {name: s["id"] for name, s in listed(project, "--all").items()}


def test_curation_commands_are_commands_not_files_to_open():
    for command in cli.CURATION_COMMANDS:
        assert not cli._files_mean_gui([command, "x"])


def test_label_by_filter_then_undo_and_redo(project):
    result = ei(project, "label", "gesture", "--label", "wave")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Label set to 'gesture' on 2 samples.\n"
    assert "ei-desktop undo" in result.stderr
    samples = listed(project)
    assert samples["wave.0"]["label"] == samples["wave.01"]["label"] == "gesture"
    assert samples["idle.0"]["label"] == "idle"

    undone = ei(project, "undo")
    assert undone.returncode == 0 and undone.stdout.startswith("Undone: ")
    assert listed(project)["wave.0"]["label"] == "wave"
    redone = ei(project, "redo")
    assert redone.returncode == 0 and redone.stdout.startswith("Redone: ")
    assert listed(project)["wave.0"]["label"] == "gesture"

    history = json.loads(ei(project, "history", "--json").stdout)
    assert [(h["what"], h["samples"], h["undone"]) for h in history] == [
        ("Label 'gesture' on 2 samples", 2, False),
        ("Upload of 5 samples", 5, False),
    ]
    ei(project, "undo")
    table = ei(project, "history").stdout.splitlines()
    assert table[0].split() == ["ID", "WHEN", "WHO", "SAMPLES", "WHAT"]
    assert table[1].endswith("  Label 'gesture' on 2 samples (undone)")
    assert table[2].endswith("  Upload of 5 samples")


def test_nothing_to_undo(tmp_path):
    project = tmp_path / "empty"
    assert ei(project, "ls", "--create").returncode == 0
    result = ei(project, "undo")
    assert result.returncode == 1 and result.stderr == "error: Nothing to undo.\n"
    assert ei(project, "redo").stderr == "error: Nothing to redo.\n"


def test_move_by_positional_and_option_ids(project):
    known = ids(project)
    result = ei(project, "move", "testing", known["wave.0"], "--id", known["hadouken.01"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Moved 2 samples to testing.\n"
    testing = listed(project, "--category", "testing")
    assert set(testing) == {"wave.0", "hadouken.01", "idle.0", "capacitor.01"}
    bad = ei(project, "move", "nowhere", known["wave.0"])
    assert bad.returncode == 2 and "invalid choice: 'nowhere'" in bad.stderr


def test_rename(project):
    wave = ids(project)["wave.0"]
    result = ei(project, "rename", wave, "gesture.0")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Renamed wave.0 (ID {wave}) to 'gesture.0'.\n"
    assert "gesture.0" in listed(project)


def test_meta_set_remove_clear_and_ls_by_metadata(project):
    known = ids(project)
    result = ei(project, "meta", "set", "rig=A", "site=lab", known["wave.0"], known["idle.0"])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Metadata rig=A, site=lab set on 2 samples.\n"
    assert listed(project)["wave.0"]["metadata"] == {"rig": "A", "site": "lab"}
    assert set(listed(project, "--metadata", "rig=A")) == {"wave.0", "idle.0"}

    result = ei(project, "meta", "set", "rig=B", "--metadata", "rig=A", "--category", "testing")
    assert result.stdout == "Metadata rig=B set on 1 sample.\n"
    assert listed(project)["idle.0"]["metadata"] == {"rig": "B", "site": "lab"}
    either = listed(project, "--metadata", "rig=A", "--metadata", "rig=B")
    assert set(either) == {"wave.0", "idle.0"}

    removed = ei(project, "meta", "remove", "site", "--metadata", "site=lab")
    assert removed.stdout == "Metadata 'site' removed from 2 samples.\n"
    assert listed(project)["idle.0"]["metadata"] == {"rig": "B"}
    cleared = ei(project, "meta", "clear", known["idle.0"])
    assert cleared.returncode == 0 and cleared.stdout == "Metadata cleared on 1 sample.\n"
    assert not listed(project)["idle.0"]["metadata"]

    bad = ei(project, "meta", "set", "rig", known["wave.0"])
    assert bad.returncode == 2 and "'rig' is neither KEY=VALUE nor a sample ID" in bad.stderr


def test_disabled_samples_leave_ls_and_come_back(project):
    known = ids(project)
    result = ei(project, "disable", known["wave.0"], known["idle.0"])
    assert result.returncode == 0 and result.stdout == "Disabled 2 samples.\n"

    shown = ei(project, "ls")
    names = [line.split()[1] for line in shown.stdout.splitlines()[1:]]
    assert sorted(names) == ["capacitor.01", "hadouken.01", "wave.01"]
    assert shown.stderr == "3 samples (2 disabled not shown; --all shows them)\n"
    every = listed(project, "--all")
    assert len(every) == 5
    assert every["wave.0"]["disabled"] is True and every["wave.01"]["disabled"] is False
    assert set(listed(project, "--disabled")) == {"wave.0", "idle.0"}
    table = ei(project, "ls", "--all").stdout.splitlines()
    assert table[0].split()[-1] == "STATE"
    state = {line.split()[1]: line.split()[-1] for line in table[1:]}
    assert state["wave.0"] == "disabled" and state["wave.01"] == "enabled"

    # a filter of enable selects disabled samples
    enabled = ei(project, "enable", "--category", "testing")
    assert enabled.stdout == "Enabled 1 sample.\n"
    assert set(listed(project, "--disabled")) == {"wave.0"}
    assert ei(project, "enable", "--all-samples").stdout == "Enabled 1 sample.\n"
    assert len(listed(project)) == 5


def test_crop(project):
    wave = ids(project)["wave.0"]
    result = ei(project, "crop", wave, 10, 110)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == f"Cropped wave.0 (ID {wave}) to values 10 up to 110 (100 of 622 kept).\n"
    )
    assert listed(project)["wave.0"]["valuesCount"] == 100
    outside = ei(project, "crop", wave, 50, 5000)
    assert outside.returncode == 1 and outside.stderr.startswith("error: ")
    assert len(outside.stderr.splitlines()) == 1
    assert listed(project)["wave.0"]["valuesCount"] == 100


def test_split(project):
    wave = ids(project)["wave.0"]
    result = ei(project, "split", wave, "0-1600", "1600-4800")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Split wave.0 (ID {wave}) into 2 samples: wave.0.s1 (ID ")
    samples = listed(project)
    assert "wave.0" not in samples
    assert samples["wave.0.s1"]["valuesCount"] == 100
    assert samples["wave.0.s2"]["valuesCount"] == 200
    assert samples["wave.0.s2"]["label"] == "wave"
    bad = ei(project, "split", wave, "0..100")
    assert bad.returncode == 2
    assert "'0..100' is not a range START-END in milliseconds" in bad.stderr


def test_summary_text_and_json(project):
    ei(project, "disable", ids(project)["wave.01"])
    data = json.loads(ei(project, "summary", "--json").stdout)
    assert {c: v["samples"] for c, v in data["categories"].items()} == {
        "training": 2,
        "testing": 2,
    }
    assert {n: v["samples"] for n, v in data["labels"].items()} == {
        "wave": 1,
        "hadouken": 1,
        "idle": 1,
        "capacitor": 1,
    }
    assert data["trainTestRatio"] == {"training": 50, "testing": 50}
    assert data["disabled"] == 1
    assert data["labels"]["wave"]["durationMs"] == pytest.approx(9952.0)

    text = ei(project, "summary")
    assert text.returncode == 0
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["CATEGORY", "SAMPLES", "DURATION"]
    assert lines[1].split()[:2] == ["training", "2"]
    assert lines[2].split()[:2] == ["testing", "2"]
    assert lines[3].split()[:2] == ["total", "4"]
    assert "Train/test split: 50% / 50%" in lines
    assert any(line.split()[:2] == ["wave", "1"] for line in lines)
    assert lines[-1] == "1 disabled sample not counted."


def test_dry_run_changes_nothing(project):
    result = ei(project, "label", "gesture", "--category", "training", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Would set label 'gesture' on 3 samples."
    assert {line.split(" (ID")[0].strip() for line in lines[1:]} == {
        "wave.0",
        "wave.01",
        "hadouken.01",
    }
    assert "nothing was changed" in result.stderr
    assert listed(project)["wave.0"]["label"] == "wave"
    history = json.loads(ei(project, "history", "--json").stdout)
    assert [h["what"] for h in history] == ["Upload of 5 samples"]


def test_a_large_change_asks_first_and_is_refused_without_a_terminal(project, samples_dir):
    with LocalBackend(project) as backend:
        copy = UploadItem("wave.01.json", samples_dir / "wave.01.json", category="training")
        backend.upload([copy] * 100, allow_duplicates=True)
    refused = ei(project, "label", "gesture", "--label", "wave")
    assert refused.returncode == 1
    assert "Set label 'gesture' on 102 samples" in refused.stderr
    assert "Refusing without --yes (not a terminal)." in refused.stderr
    assert listed(project, "--label", "gesture") == {}
    done = ei(project, "label", "gesture", "--label", "wave", "--yes")
    assert done.returncode == 0 and done.stdout == "Label set to 'gesture' on 102 samples.\n"


def test_no_selection_is_refused(project):
    result = ei(project, "label", "gesture")
    assert result.returncode == 2
    assert result.stderr.startswith("error: no samples selected: give sample IDs, a filter")
    assert "--all-samples" in result.stderr
    assert listed(project)["wave.0"]["label"] == "wave"
    everything = ei(project, "move", "testing", "--all-samples")
    assert everything.returncode == 0
    assert everything.stdout == "Moved 3 samples to testing (2 already in testing).\n"


def test_ids_and_filters_together_are_refused(project):
    result = ei(project, "label", "gesture", ids(project)["wave.0"], "--category", "training")
    assert result.returncode == 2
    assert "give sample IDs or filters, not both" in result.stderr


def test_unknown_ids_are_named(project):
    wave = ids(project)["wave.0"]
    result = ei(project, "label", "gesture", wave, 4242)
    assert result.returncode == 1
    assert result.stdout == "Label set to 'gesture' on 1 sample.\n"
    assert "error: No sample found with ID 4242" in result.stderr
    for command in (["label", "x", 4242], ["rename", 4242, "x"], ["crop", 4242, 0, 10]):
        alone = ei(project, *command)
        assert alone.returncode == 1 and alone.stdout == ""
        assert alone.stderr == "error: No sample found with ID 4242\n"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_large_change_goes_ahead_once_confirmed_on_a_terminal(project, samples_dir):
    import pty

    with LocalBackend(project) as backend:
        copy = UploadItem("wave.01.json", samples_dir / "wave.01.json", category="training")
        backend.upload([copy] * 100, allow_duplicates=True)
    controller, terminal = pty.openpty()
    try:
        os.write(controller, b"yes\n")
        result = subprocess.run(
            [sys.executable, "-m", "ei_desktop", "move", "testing", "--label", "wave"]
            + ["--project", str(project)],
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 0, result.stderr
    assert "Moved 102 samples to testing." in result.stdout
    assert "Move 102 samples to testing in " in result.stdout  # the question, on the terminal
    testing = ei(project, "ls", "--json", "--category", "testing").stdout
    assert len(json.loads(testing)) == 104


def test_through_an_api_key_edits_reach_the_server_and_are_not_offered_for_undo(project):
    from ei_desktop.server.testing import running_server

    def remote(base, key, *args):
        env = {**os.environ, "EI_API_ENDPOINT": base + "/v1", "EI_INGESTION_ENDPOINT": base}
        return subprocess.run(
            [sys.executable, "-m", "ei_desktop", *map(str, args), "--api-key", key],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    with (
        LocalBackend(project) as backend,
        running_server(backend, api_key="ei_" + "0123456789abcdef" * 4) as (base, key),
    ):
        result = remote(base, key, "label", "gesture", "--label", "wave")
        assert result.returncode == 0, result.stderr
        assert result.stdout == "Label set to 'gesture' on 2 samples.\n"
        assert "undo" not in result.stderr
        disabled = remote(base, key, "disable", "--name", "idle")
        assert disabled.stdout == "Disabled 1 sample.\n"
        shown = json.loads(remote(base, key, "ls", "--all", "--json").stdout)
        assert {s["filename"]: (s["label"], s["disabled"]) for s in shown}["idle.0"] == (
            "idle",
            True,
        )
        assert remote(base, key, "undo").stderr == "error: Nothing to undo.\n"
    assert listed(project)["wave.0"]["label"] == "gesture"


@pytest.fixture
def sixty(tmp_path):
    """A local project with 30 idle and 30 wave samples, all in training."""
    path = tmp_path / "sixty"
    with LocalBackend(path, create=True) as backend:
        items = [
            UploadItem(f"{label}.{n}.csv", f"timestamp,x\n0,{n}\n10,{k}\n".encode(), "training")
            for k, label in enumerate(["idle", "wave"])
            for n in range(30)
        ]
        assert all(r.success for r in backend.upload(items))
    return path


def categories(project) -> dict[str, int]:
    found: dict[str, int] = {}
    for sample in listed(project).values():
        found[sample["category"]] = found.get(sample["category"], 0) + 1
    return found


def test_rebalance_previews_then_moves_per_label(sixty):
    dry = ei(sixty, "rebalance", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "idle: training 30 → 24, testing 0 → 6" in dry.stdout
    assert "12 samples would move: training 80 %, testing 20 %." in dry.stdout
    assert categories(sixty) == {"training": 60}
    # 18 moves: fewer than the size that asks first
    done = ei(sixty, "rebalance", "--training", "70", "--testing", "20", "--validation", "10")
    assert done.returncode == 0, done.stderr
    assert "18 samples moved: training 70 %, testing 20 %, validation 10 %." in done.stdout
    assert categories(sixty) == {"training": 42, "testing": 12, "validation": 6}
    again = ei(sixty, "rebalance", "--training", "70", "--testing", "20", "--validation", "10")
    assert "Nothing to move" in again.stdout
    assert ei(sixty, "undo").returncode == 0
    assert categories(sixty) == {"training": 60}


def test_rebalance_percentages_must_add_up_to_100(sixty):
    refused = ei(sixty, "rebalance", "--training", "70", "--testing", "20")
    assert refused.returncode == 2
    assert "the percentages add up to 90, not 100" in refused.stderr


def test_split_at_the_events_found_in_a_recording(tmp_path):
    lines = ["timestamp,accX,accY"]
    for t in range(0, 5000, 10):
        active = any(s <= t < s + 300 for s in (600, 2500))
        wiggle = 8.0 * ((t // 10) % 2 * 2 - 1) if active else 0.01 * ((t // 10) % 3)
        lines.append(f"{t},{wiggle:g},{9.81 + wiggle / 2:g}")
    path = tmp_path / "p"
    with LocalBackend(path, create=True) as backend:
        item = UploadItem("punch.01.csv", ("\n".join(lines) + "\n").encode(), "training")
        (result,) = backend.upload([item])
    dry = ei(path, "split", result.sample_id, "--find", "400", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("2 events found: ") and len(listed(path)) == 1
    done = ei(path, "split", result.sample_id, "--find", "400")
    assert done.returncode == 0, done.stderr
    assert sorted(listed(path)) == ["punch.01.s1", "punch.01.s2"]
    both = ei(path, "split", result.sample_id, "0-100", "--find", "400")
    assert both.returncode == 2 and "one of the two" in both.stderr
