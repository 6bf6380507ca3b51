"""The upload options dialog turns choices into the ops layer's :class:`UploadOptions`."""

from __future__ import annotations

from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog, describe_paths
from ei_desktop.ops import UploadOptions


def test_choices_become_options(qtbot, tmp_path):
    dialog = UploadOptionsDialog([str(tmp_path)], labels=["idle", "wave"])
    qtbot.addWidget(dialog)
    # by default: categories from the folders, labels from the names (the ops rules)
    assert dialog.options() == UploadOptions()
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("validation"))
    dialog.fixed_radio.setChecked(True)
    assert not dialog.ok_button.isEnabled()  # a fixed label needs a label
    dialog.label_edit.setText("  wave ")
    assert dialog.ok_button.isEnabled()
    dialog.metadata_editor.add_row("rig", "r2", edit=False)
    dialog.metadata_editor.add_row("", "ignored", edit=False)
    dialog.duplicates_check.setChecked(True)
    assert dialog.options() == UploadOptions(
        category="validation", label="wave", metadata={"rig": "r2"}, allow_duplicates=True
    )
    dialog.none_radio.setChecked(True)
    assert dialog.options().label == ""
    dialog.category_combo.setCurrentIndex(dialog.category_combo.findData("split"))
    assert dialog.options().category == "split"


def test_starts_from_the_last_options(qtbot):
    for last in (
        UploadOptions(metadata={"a": "b"}),
        UploadOptions(category="testing", label=""),
        UploadOptions(category="split", label="x"),
    ):
        dialog = UploadOptionsDialog(["/x/a.csv", "/x/b.csv"], initial=last)
        qtbot.addWidget(dialog)
        assert dialog.options() == last


def test_describe_paths(tmp_path):
    (tmp_path / "d").mkdir()
    assert describe_paths([str(tmp_path / "d")]) == "d"
    assert describe_paths(["/a.csv", "/b.csv", str(tmp_path / "d")], 1) == "2 files and 1 folder"
    # not told how many are folders: the disk is not asked
    assert describe_paths(["/a.csv", "/b.csv", str(tmp_path / "d")]) == "3 items"
