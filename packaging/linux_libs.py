"""Shared libraries the Linux bundle takes from the system instead of carrying its own copy.

PyInstaller copies every library the build machine resolves, including the desktop stack
(X11/xcb, Wayland, fontconfig, glib, D-Bus, GTK, libstdc++). Those must match the user's own
system: a bundled glib or libstdc++ that is older than the system's breaks the GTK theme
plugin, input methods and GL drivers that Qt loads from the system at run time. So the spec
leaves them out and the .deb depends on the packages below instead (AppImage's "excludelist"
makes the same choice).

Package names hold on Debian 12 and Ubuntu 22.04/24.04 (Ubuntu 24.04's ``t64`` packages
provide the old names).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

#: sonames of glibc itself (package libc6, versioned from the GLIBC_* symbols the bundle needs)
GLIBC = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "librt.so.1",
    "libpthread.so.0",
    "libresolv.so.2",
    "libutil.so.1",
    "libanl.so.1",
    "libmvec.so.1",
    "libthread_db.so.1",
    "libBrokenLocale.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "ld-linux-armhf.so.3",
}

_XCB = (
    "cursor:0 glx:0 icccm:4 image:0 keysyms:1 randr:0 render:0 render-util:0 shape:0 shm:0 "
    "sync:1 util:1 xfixes:0 xinerama:0 xinput:0 xkb:1"
)

#: soname -> Debian package, for libraries the bundle needs from the system
SYSTEM = {
    "libcrypt.so.1": "libcrypt1",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libz.so.1": "zlib1g",
    "libuuid.so.1": "libuuid1",
    "libexpat.so.1": "libexpat1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libdrm.so.2": "libdrm2",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    **{
        f"libxcb-{name}.so.{major}": f"libxcb-{name}{major}"
        for name, major in (item.split(":") for item in _XCB.split())
    },
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
    "libzstd.so.1": "libzstd1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
}

#: GTK and what it pulls in: only Qt's GTK theme plugin (native dialogs and colours on GNOME)
#: needs them, and it is skipped quietly where GTK is missing, so they are a Recommends.
GTK = {
    soname: "libgtk-3-0"
    for soname in (
        "libgtk-3.so.0",
        "libgdk-3.so.0",
        "libpango-1.0.so.0",
        "libpangocairo-1.0.so.0",
        "libpangoft2-1.0.so.0",
        "libharfbuzz.so.0",
        "libatk-1.0.so.0",
        "libcairo.so.2",
        "libcairo-gobject.so.2",
        "libgdk_pixbuf-2.0.so.0",
    )
}

#: further libraries the build machine resolves only as dependencies of the ones above; the
#: bundle never needs them directly (the build checks that)
TRANSITIVE = {
    "libXau.so.6",
    "libXdmcp.so.6",
    "libXext.so.6",
    "libXrender.so.1",
    "libXi.so.6",
    "libXfixes.so.3",
    "libXcursor.so.1",
    "libXrandr.so.2",
    "libXinerama.so.1",
    "libXcomposite.so.1",
    "libXdamage.so.1",
    "libbsd.so.0",
    "libmd.so.0",
    "libpng16.so.16",
    "libjpeg.so.62",
    "libjpeg.so.8",
    "libgcrypt.so.20",
    "libgpg-error.so.0",
    "libsystemd.so.0",
    "liblz4.so.1",
    "libcap.so.2",
    "libpcre2-8.so.0",
    "libselinux.so.1",
    "libmount.so.1",
    "libblkid.so.1",
    "libpixman-1.so.0",
    "libthai.so.0",
    "libdatrie.so.1",
    "libfribidi.so.0",
    "libgraphite2.so.3",
    "libepoxy.so.0",
    "libatk-bridge-2.0.so.0",
    "libatspi.so.0",
    "libkrb5.so.3",
    "libk5crypto.so.3",
    "libkrb5support.so.0",
    "libkeyutils.so.1",
    "libcom_err.so.2",
    "libreadline.so.8",
    "libtinfo.so.6",
}

#: bundled files whose system dependencies are only recommended (optional Qt plugins)
OPTIONAL_PLUGIN = re.compile(r"(^|/)platformthemes/libqgtk3\.so$")


def from_system(soname: str) -> bool:
    """True for a library the bundle must not carry (it comes from the user's system)."""
    return soname in GLIBC or soname in SYSTEM or soname in GTK or soname in TRANSITIVE


def elf_dependencies(files: list[Path]) -> dict[Path, tuple[set[str], set[str]]]:
    """For each ELF file: its NEEDED sonames and the symbol versions it requires (GLIBC_2.34…),
    read with ``objdump -p`` (binutils, which PyInstaller needs on Linux anyway).
    """
    result: dict[Path, tuple[set[str], set[str]]] = {}
    for start in range(0, len(files), 64):
        chunk = [str(Path(file).resolve()) for file in files[start : start + 64]]
        # not check=True: a file objdump cannot read just needs nothing
        output = subprocess.run(["objdump", "-p", *chunk], capture_output=True, text=True).stdout
        current = None
        for line in output.splitlines():
            header = re.match(r"^(/.*):\s+file format ", line)
            if header:
                current = Path(header.group(1))
                result[current] = (set(), set())
            elif current is not None:
                needed = re.match(r"^\s+NEEDED\s+(\S+)", line)
                if needed:
                    result[current][0].add(needed.group(1))
                result[current][1].update(re.findall(r"\b(GLIBC_\d+(?:\.\d+)+)\b", line))
    return result


#: libraries of the build machine's system folders (as opposed to wheels, Python's own prefix)
_SYSTEM_FOLDER = re.compile(r"^/(usr/)?(local/)?lib(32|64|x32)?/")


def prune_orphans(binaries: list[tuple]) -> tuple[list[tuple], list[str]]:
    """Drop the system libraries that PyInstaller collected only as dependencies of libraries
    the bundle leaves to the system (GTK brings cups, colord, tracker… on a full desktop or CI
    image): nothing kept needs them, and on the library path they would shadow the user's own.

    ``binaries`` is PyInstaller's TOC of (dest_name, src_name, typecode). Returns the kept
    entries and the names of the dropped ones.
    """

    def candidate(entry) -> bool:
        dest, src = entry[0], str(entry[1])
        return (
            "/" not in dest.replace("\\", "/")
            and bool(_SYSTEM_FOLDER.match(src))
            and not dest.startswith("libpython")
        )

    elf = [Path(entry[1]) for entry in binaries if Path(entry[1]).is_file()]
    needs = {path: needed for path, (needed, _) in elf_dependencies(elf).items()}

    def needed_by(entry) -> set[str]:
        return needs.get(Path(entry[1]).resolve(), set())

    kept = [entry for entry in binaries if not candidate(entry)]
    waiting = [entry for entry in binaries if candidate(entry)]
    wanted = set().union(*(needed_by(entry) for entry in kept)) if kept else set()
    progress = True
    while progress:
        progress = False
        for entry in list(waiting):
            if entry[0] in wanted:
                kept.append(entry)
                waiting.remove(entry)
                wanted |= needed_by(entry)
                progress = True
    return kept, sorted(entry[0] for entry in waiting)
