"""Finding the files to upload: folders walked safely, companion label files read, exported
datasets (``info.labels``) turned into samples.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ei_desktop.core import formats, labels, naming
from ei_desktop.core.backends.base import UploadItem
from ei_desktop.core.labels import LabelError, is_companion, parse_companion, read_info_labels

#: why a pipe, socket or device is not uploaded (opening a pipe would block)
NOT_REGULAR = "Not a regular file (a pipe, socket or device), so not a sample"

BOUNDING_BOXES_FILE = labels.BOUNDING_BOXES_FILE
STRUCTURED_LABELS_FILE = labels.STRUCTURED_LABELS_FILE


class FileSource(io.RawIOBase):
    """A file named by its path and opened only when first read.

    Used as ``Sample.data`` for files found on disk, so that thousands of samples can be
    prepared without thousands of open handles, and uploads can stream from the path.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__()
        self.path = os.fspath(path)
        self.name = self.path
        self._handle: Optional[io.BufferedReader] = None

    def _open(self) -> io.BufferedReader:
        if self._handle is None:
            self._handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()
        return self._handle

    def readable(self) -> bool:  # noqa: D102
        return True

    def readinto(self, buffer) -> int:  # noqa: D102
        return self._open().readinto(buffer)

    def read(self, size: int = -1) -> bytes:  # noqa: D102
        return self._open().read(size)

    def close(self) -> None:  # noqa: D102
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        super().close()

    def __repr__(self) -> str:
        return f"FileSource({self.path!r})"


@dataclass
class Problem:
    """A file or folder that could not be taken, and why."""

    path: str
    error: str


@dataclass
class Found:
    """What a walk over the user's paths found."""

    files: list[str] = field(default_factory=list)
    exported_datasets: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: files met in folders that are not samples (hidden, or of another type)
    skipped: list[str] = field(default_factory=list)


def find_files(
    paths: list[str | os.PathLike],
    *,
    recursive: bool = True,
    exported_datasets: bool = True,
    exported_datasets_at_any_depth: bool = False,
) -> Found:
    """Walk ``paths`` (files and folders) for samples.

    Folders are walked recursively (symbolic links followed, loops detected and reported);
    files with a supported extension (any case) are kept, companion ``.labels`` files and hidden
    files skipped. With ``exported_datasets``, a folder of ``paths`` holding ``info.labels``
    (or, with ``exported_datasets_at_any_depth``, any folder below them) is reported as an
    exported dataset instead of being walked. Files named explicitly are always kept, so an
    unsupported one fails with a clear message instead of vanishing.
    """
    found = Found()
    seen_dirs: set[str] = set()
    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            if exported_datasets and os.path.isfile(os.path.join(path, naming.LABEL_FILE)):
                found.exported_datasets.append(path)
            else:
                _walk(path, found, seen_dirs, recursive, exported_datasets_at_any_depth)
        elif os.path.isfile(path):
            found.files.append(path)
        elif os.path.exists(path):
            found.problems.append(Problem(path, NOT_REGULAR))
        elif os.path.islink(path):
            found.problems.append(Problem(path, "Broken link: its target does not exist"))
        else:
            found.problems.append(Problem(path, "No such file or folder"))
    return found


def _walk(
    root: str, found: Found, seen_dirs: set[str], recursive: bool, nested_exports: bool
) -> None:
    def on_error(error: OSError) -> None:
        found.problems.append(
            Problem(error.filename or root, f"Cannot read this folder: {error.strerror or error}")
        )

    for directory, subdirs, files in os.walk(root, onerror=on_error, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen_dirs:
            found.problems.append(
                Problem(directory, "Skipped: a symbolic link loops back to a folder already read")
            )
            subdirs[:] = []
            continue
        seen_dirs.add(real)
        if nested_exports and directory != root and naming.LABEL_FILE in files:
            found.exported_datasets.append(directory)
            subdirs[:] = []
            continue
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".")) if recursive else []
        for name in sorted(files):
            if is_companion(name):
                continue
            path = os.path.join(directory, name)
            if name.startswith(".") or not formats.is_supported(name):
                found.skipped.append(path)
                continue
            if not os.path.exists(path):
                found.problems.append(Problem(path, "Broken link: its target does not exist"))
                continue
            if not os.path.isfile(path):  # a FIFO would block the upload on open
                found.problems.append(Problem(path, NOT_REGULAR))
                continue
            found.files.append(path)


def companion_labels(directory: str) -> tuple[dict[str, list], dict[str, list], list[Problem]]:
    """Bounding boxes and structured labels that ``directory``'s companion files give, by
    file name.
    """
    boxes: dict[str, list] = {}
    structured: dict[str, list] = {}
    problems: list[Problem] = []
    for name, target in ((BOUNDING_BOXES_FILE, boxes), (STRUCTURED_LABELS_FILE, structured)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, "rb") as handle:
                _, entries = parse_companion(handle.read(), name)
            target.update(entries)
        except (OSError, LabelError) as exc:
            problems.append(Problem(path, str(exc)))
    return boxes, structured, problems


def plain_items(files: list[str]) -> tuple[list[UploadItem], list[Problem]]:
    """One :class:`UploadItem` per file (read from its path when sent), with the bounding
    boxes and structured labels its folder's companion files give it; category, label and
    metadata are left for the caller's rules.
    """
    items: list[UploadItem] = []
    problems: list[Problem] = []
    companions: dict[str, tuple[dict, dict]] = {}
    for path in files:
        directory = os.path.dirname(path)
        if directory not in companions:
            boxes, structured, found = companion_labels(directory)
            companions[directory] = (boxes, structured)
            problems.extend(found)
        boxes, structured = companions[directory]
        name = os.path.basename(path)
        items.append(
            UploadItem(
                filename=name,
                source=path,
                bounding_boxes=boxes.get(name),
                structured_labels=structured.get(name),
                key=path,
            )
        )
    return items, problems


def exported_items(directory: str) -> tuple[list[UploadItem], list[Problem]]:
    """The samples an exported dataset's ``info.labels`` describes, as upload items.

    Every key of an entry is optional except ``path``; the stored name is the entry's
    ``name`` when given; ``unlabeled`` entries stay unlabeled; ``multi-label`` entries carry
    their segments as structured labels.
    """
    info_path = os.path.join(directory, naming.LABEL_FILE)
    problems: list[Problem] = []
    try:
        with open(info_path, encoding="utf-8-sig") as handle:
            entries = read_info_labels(handle.read())
    except (OSError, UnicodeDecodeError, LabelError) as exc:
        return [], [Problem(info_path, str(exc))]
    items: list[UploadItem] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            problems.append(Problem(info_path, f"Entry {number} has no 'path'"))
            continue
        path = os.path.normpath(os.path.join(directory, entry["path"]))
        if not os.path.isfile(path):
            problems.append(Problem(path, "Listed in info.labels but not found"))
            continue
        extension = os.path.splitext(path)[1]
        name = entry.get("name")
        filename = (
            f"{name}{extension}" if isinstance(name, str) and name else os.path.basename(path)
        )
        label_info = entry.get("label") if isinstance(entry.get("label"), dict) else {}
        label_type = label_info.get("type")
        label: Optional[str] = None
        structured = None
        if label_type == "label":
            label = str(label_info.get("label", ""))
        elif label_type == "multi-label":
            structured = label_info.get("labels")
        elif label_type in ("unlabeled", "keyvalue-labels"):
            label = ""
        items.append(
            UploadItem(
                filename=filename,
                source=path,
                category=entry.get("category") or naming.SPLIT,
                label=label,
                metadata=entry.get("metadata") or None,
                bounding_boxes=entry.get("boundingBoxes") or None,
                structured_labels=structured,
                key=path,
            )
        )
    return items, problems


def is_exported_dataset(directory: str | os.PathLike) -> bool:
    """True when ``directory`` holds an ``info.labels`` file at its root."""
    return Path(directory, naming.LABEL_FILE).is_file()
