"""Prepare the app icon for the installers: PNGs at every hicolor size, and .ico/.icns.

    python packaging/icons.py OUT_DIR [--ico] [--icns]

Run by ``packaging/build`` with the build environment's Python (it needs Pillow). Takes
``resources/icons/ei-desktop-<size>.png`` (drawn by ``tools/make_icons.py``); a missing size is
scaled from the largest PNG there. With no PNG at all it draws a placeholder, says so, and
writes it only into OUT_DIR (``packaging/build-cache``, never committed).

Writes ``OUT_DIR/png/ei-desktop-<size>.png`` for every size in :data:`SIZES`, then
``OUT_DIR/ei-desktop.ico`` (Windows) and ``OUT_DIR/ei-desktop.icns`` (macOS) when asked.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "icons"
NAME = "ei-desktop"
#: the hicolor sizes the Linux packages install
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: iconutil's file names: (pixels, name)
ICONSET = (
    (16, "icon_16x16.png"),
    (32, "icon_16x16@2x.png"),
    (32, "icon_32x32.png"),
    (64, "icon_32x32@2x.png"),
    (128, "icon_128x128.png"),
    (256, "icon_128x128@2x.png"),
    (256, "icon_256x256.png"),
    (512, "icon_256x256@2x.png"),
    (512, "icon_512x512.png"),
    (1024, "icon_512x512@2x.png"),
)


def placeholder(size: int = 1024) -> Image.Image:
    """A stand-in logo: a blue rounded square with a white waveform."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = size // 16
    draw.rounded_rectangle(
        (margin, margin, size - margin, size - margin), radius=size // 5, fill=(31, 111, 235, 255)
    )
    points = [(0.18, 0.55), (0.32, 0.55), (0.40, 0.30), (0.50, 0.74), (0.60, 0.40)]
    points += [(0.68, 0.55), (0.82, 0.55)]
    draw.line(
        [(x * size, y * size) for x, y in points],
        fill=(255, 255, 255, 255),
        width=max(2, size // 24),
        joint="curve",
    )
    return image


def sources() -> tuple[dict[int, Image.Image], bool]:
    """The icon at each size found in resources/icons, and whether it is a placeholder."""
    found = {}
    for path in SOURCE.glob(f"{NAME}-*.png"):
        suffix = path.stem.removeprefix(f"{NAME}-")
        if suffix.isdigit():
            found[int(suffix)] = Image.open(path).convert("RGBA")
    if found:
        return found, False
    return {1024: placeholder()}, True


def at_size(images: dict[int, Image.Image], size: int) -> Image.Image:
    """The icon at ``size`` pixels: the drawn one if there is one, else scaled."""
    if size in images and images[size].size == (size, size):
        return images[size]
    largest = images[max(images)]
    return largest.resize((size, size), Image.Resampling.LANCZOS)


def write_icns(images: dict[int, Image.Image], path: Path) -> None:
    """Write a macOS .icns: with iconutil when it exists (macOS), else with Pillow."""
    if shutil.which("iconutil"):
        with tempfile.TemporaryDirectory() as tmp:
            iconset = Path(tmp) / f"{NAME}.iconset"
            iconset.mkdir()
            for size, name in ICONSET:
                at_size(images, size).save(iconset / name)
            subprocess.run(["iconutil", "-c", "icns", str(iconset), "-o", str(path)], check=True)
        return
    big = at_size(images, 1024)
    big.save(path, append_images=[at_size(images, size) for size in (16, 32, 64, 128, 256, 512)])


def main(argv: list[str] | None = None) -> int:
    """Write the icons; prints what it did."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write to")
    parser.add_argument("--ico", action="store_true", help="also write ei-desktop.ico")
    parser.add_argument("--icns", action="store_true", help="also write ei-desktop.icns")
    args = parser.parse_args(argv)

    images, is_placeholder = sources()
    png = args.out / "png"
    png.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        at_size(images, size).save(png / f"{NAME}-{size}.png")
    if is_placeholder:
        print(f"No {SOURCE}/{NAME}-<size>.png: using a placeholder icon.", file=sys.stderr)
    if args.ico:
        ico = args.out / f"{NAME}.ico"
        largest = at_size(images, max(ICO_SIZES))
        largest.save(
            ico,
            sizes=[(size, size) for size in ICO_SIZES],
            append_images=[at_size(images, size) for size in ICO_SIZES[:-1]],
        )
    if args.icns:
        write_icns(images, args.out / f"{NAME}.icns")
    print(f"icons in {args.out}" + (" (placeholder)" if is_placeholder else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
