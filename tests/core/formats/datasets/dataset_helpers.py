"""Small images and datasets written by globox (an independent converter) for the tests."""

from __future__ import annotations

from pathlib import Path

import globox
from PIL import Image

#: Edge Impulse boxes per image name: a class name with a space, a box touching the border
BOXES = {
    "a.png": [
        {"label": "red cube", "x": 0, "y": 0, "width": 20, "height": 15},
        {"label": "blue", "x": 30, "y": 20, "width": 34, "height": 28},
    ],
    "b.jpg": [{"label": "blue", "x": 5, "y": 6, "width": 7, "height": 8}],
    "c.png": [],
}
SIZES = {"a.png": (64, 48), "b.jpg": (40, 30), "c.png": (16, 16)}
MODES = {"a.png": "RGBA", "b.jpg": "RGB", "c.png": "L"}


def write_image(path: Path, size: tuple[int, int], mode: str = "RGB", **save) -> Path:
    """An image of ``size`` (width, height) in ``mode`` at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, 128 if mode == "L" else (10, 20, 30, 255)[: len(mode)]).save(path, **save)
    return path


def write_images(folder: Path, names=None) -> None:
    """The test images into ``folder`` (RGBA, RGB JPEG and grayscale)."""
    for name in names or BOXES:
        write_image(folder / name, SIZES[name], MODES[name])


def annotation_set(names=None) -> globox.AnnotationSet:
    """The boxes of :data:`BOXES` as a globox set."""
    annotations = []
    for name in names or BOXES:
        boxes = [
            globox.BoundingBox(
                label=b["label"],
                xmin=b["x"],
                ymin=b["y"],
                xmax=b["x"] + b["width"],
                ymax=b["y"] + b["height"],
            )
            for b in BOXES[name]
        ]
        annotations.append(globox.Annotation(name, image_size=SIZES[name], boxes=boxes))
    return globox.AnnotationSet(annotations)


def boxes_by_name(samples) -> dict[str, list[dict]]:
    """Boxes per image file name, sorted, for comparing."""
    return {Path(s.path).name: sorted(s.boxes, key=lambda b: (b["label"], b["x"])) for s in samples}


def expected() -> dict[str, list[dict]]:
    """:data:`BOXES`, sorted as :func:`boxes_by_name` sorts."""
    return {n: sorted(b, key=lambda b: (b["label"], b["x"])) for n, b in BOXES.items()}
