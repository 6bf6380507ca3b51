"""What every dataset reader produces: image samples with Edge Impulse boxes, and the files
it could not take with their reasons.

Edge Impulse boxes are integer pixels on the image as shown (after its EXIF rotation):
``{"label", "x", "y", "width", "height"}`` with ``x, y`` the top-left corner.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Optional

from PIL import Image, UnidentifiedImageError

#: image file extensions the readers pair with annotations (lower case)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")

#: how far (in pixels) a box may reach past the image's edge before it is refused; boxes
#: within it are clipped to the edge (rounding in other tools' normalised coordinates)
EDGE_TOLERANCE = 1.0

#: EXIF orientations that turn the image a quarter (width and height swap when shown)
_QUARTER_TURNS = (5, 6, 7, 8)

_SPLITS = {
    "train": "training",
    "training": "training",
    "test": "testing",
    "testing": "testing",
    "val": "validation",
    "valid": "validation",
    "validation": "validation",
    "anomaly": "anomaly",
}


class BoxError(ValueError):
    """A box that cannot become an Edge Impulse box; ``str(error)`` says why."""


@dataclass
class DatasetSample:
    """One file of a dataset, as it will be stored.

    Attributes:
        path: the file's absolute path.
        category: ``training``, ``testing``, ``validation``… from the dataset's split, or
            ``None`` when the dataset does not say.
        boxes: Edge Impulse boxes (empty: an image without objects).
        label: the sample's own label when the dataset gives one (plain CSV), else ``None``.
    """

    path: str
    category: Optional[str] = None
    boxes: list[dict] = field(default_factory=list)
    label: Optional[str] = None


@dataclass
class Problem:
    """A file that is not imported, and why (in plain words)."""

    path: str
    reason: str


@dataclass
class Dataset:
    """What a reader found in a folder.

    Attributes:
        format: the format's name (``coco``, ``yolo``, ``pascal-voc``, ``openimage``, ``csv``).
        root: the folder read.
        samples: the files to import, each with its boxes.
        problems: files that are not imported, each with its reason (the user should fix
            them).
        ignored: files that are not part of the dataset (an image no annotation lists).
        annotation_files: the files that describe others (not samples themselves).
        classes: every class name the dataset declares or uses, in its own order.
    """

    format: str
    root: str
    samples: list[DatasetSample] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored: list[Problem] = field(default_factory=list)
    annotation_files: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)

    @property
    def box_count(self) -> int:
        """The number of boxes over all samples."""
        return sum(len(sample.boxes) for sample in self.samples)

    def add_class(self, name: str) -> None:
        """Record ``name`` as a class (once)."""
        if name not in self.classes:
            self.classes.append(name)


def image_size(path: str) -> tuple[int, int]:
    """Width and height of the image at ``path`` as shown, its EXIF rotation applied.

    Only the header is read.

    Raises:
        OSError: the file cannot be read or is not an image.
    """
    try:
        with Image.open(path) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112) if image.format == "JPEG" else None
    except UnidentifiedImageError:
        raise OSError("Not an image Pillow can read") from None
    if orientation in _QUARTER_TURNS:
        return height, width
    return width, height


def pixel_box(
    label: str, xmin: float, ymin: float, xmax: float, ymax: float, width: int, height: int
) -> dict:
    """The Edge Impulse box for corners in pixels on an image ``width`` × ``height``.

    Raises:
        BoxError: the box has a negative or zero size, or reaches outside the image by more
            than :data:`EDGE_TOLERANCE` pixels.
    """
    if xmax <= xmin or ymax <= ymin:
        raise BoxError(
            f"box '{label}' has a width or height of zero or less "
            f"(xmin {xmin:g}, xmax {xmax:g}, ymin {ymin:g}, ymax {ymax:g})"
        )
    t = EDGE_TOLERANCE
    if xmin < -t or ymin < -t or xmax > width + t or ymax > height + t:
        raise BoxError(
            f"box '{label}' ({xmin:g},{ymin:g})-({xmax:g},{ymax:g}) is outside the "
            f"{width}×{height} image"
        )
    left, top = max(0, _round(xmin)), max(0, _round(ymin))
    right, bottom = min(width, _round(xmax)), min(height, _round(ymax))
    if right <= left or bottom <= top:
        raise BoxError(f"box '{label}' is smaller than one pixel")
    return {"label": label, "x": left, "y": top, "width": right - left, "height": bottom - top}


def _round(value: float) -> int:
    """The nearest integer, halves up (as image tools do, unlike Python's ``round``)."""
    return math.floor(value + 0.5)


def split_category(path: str) -> Optional[str]:
    """The category a split name in ``path`` gives (``train`` → ``training``, ``val`` →
    ``validation``, ``test`` → ``testing``), innermost part first; ``None`` when none does.
    """
    parts = re.split(r"[\\/]", path)
    for part in reversed(parts):
        words = re.split(r"[^a-z]+", os.path.splitext(part)[0].lower())
        for word in words:
            if word in _SPLITS:
                return _SPLITS[word]
    return None


def walk(root: str, irregular: Optional[list[str]] = None) -> list[str]:
    """Every regular file below ``root`` (hidden files and folders skipped), sorted by path.

    Pipes, sockets, devices and broken links are left out (opening a pipe would wait for a
    writer forever); they are appended to ``irregular`` when it is given.
    """
    found: list[str] = []
    for directory, subdirs, files in os.walk(root, followlinks=True):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                found.append(path)
            elif irregular is not None:
                irregular.append(path)
    return found


def is_image(path: str) -> bool:
    """True for a file name with an image extension."""
    return os.path.splitext(path)[1].lower() in IMAGE_EXTENSIONS


class ImageIndex:
    """The images below a folder, found by relative path, by name or by name without
    extension.
    """

    def __init__(self, files: list[str]) -> None:
        self.images = [path for path in files if is_image(path)]
        self.by_name: dict[str, list[str]] = {}
        self.by_stem: dict[str, list[str]] = {}
        for path in self.images:
            name = os.path.basename(path)
            self.by_name.setdefault(name, []).append(path)
            self.by_stem.setdefault(os.path.splitext(name)[0], []).append(path)

    def find(self, name: str, near: str) -> Optional[str]:
        """The image ``name`` (a path relative to ``near``, or a bare name) refers to: the
        relative path when it exists, else the only image of that name (the one closest to
        ``near`` when several).
        """
        direct = os.path.normpath(os.path.join(near, name))
        if os.path.isfile(direct):
            return direct
        return _closest(self.by_name.get(os.path.basename(name.replace("\\", "/")), []), near)

    def find_stem(self, stem: str, near: str) -> Optional[str]:
        """The image whose name without extension is ``stem`` (closest to ``near``)."""
        return _closest(self.by_stem.get(stem, []), near)


def _closest(candidates: list[str], near: str) -> Optional[str]:
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    return max(candidates, key=lambda p: len(os.path.commonpath([p, near])))
