#!/bin/sh
# Build dist/ei-desktop-<version>-x86_64.AppImage from the portable tarball of packaging/build.
#
#     packaging/linux/appimage/build-appimage.sh [TARBALL] [OUTPUT_DIR] [--appdir-only]
#
# TARBALL defaults to the newest dist/ei-desktop-*-linux-x86_64.tar.gz, OUTPUT_DIR to dist.
# Needs appimagetool (https://github.com/AppImage/appimagetool/releases): $APPIMAGETOOL, or
# `appimagetool` on PATH; without FUSE set APPIMAGE_EXTRACT_AND_RUN=1. --appdir-only stops
# after the AppDir (build/appimage/ei-desktop.AppDir), which needs nothing but a shell.
#
# AppDir layout:
#   AppRun                           -> usr/lib/ei-desktop/ei-desktop "$@"
#   ei-desktop.desktop, ei-desktop.png, .DirIcon
#   usr/lib/ei-desktop/              the one-folder bundle (ei-desktop, ei-desktop-gui, _internal/)
#   usr/share/applications/ei-desktop.desktop
#   usr/share/icons/hicolor/<size>x<size>/apps/ei-desktop.png, scalable/apps/ei-desktop.svg
#   usr/share/metainfo/io.github.eidesktop.EiDesktop.metainfo.xml
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
appdir_only=no
positional=""
for argument in "$@"; do
    case "$argument" in
        --appdir-only) appdir_only=yes ;;
        *) positional="$positional$argument
" ;;
    esac
done
tarball=$(printf '%s' "$positional" | sed -n 1p)
output=$(printf '%s' "$positional" | sed -n 2p)
if [ -z "$tarball" ]; then
    tarball=$(ls -t "$root"/dist/ei-desktop-*-linux-x86_64.tar.gz 2>/dev/null | head -n 1)
fi
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
    echo "No tarball: run packaging/build first, or pass its path." >&2
    exit 1
fi
output=${output:-"$root/dist"}
mkdir -p "$output"
output=$(cd "$output" && pwd)

work="$root/build/appimage"
appdir="$work/ei-desktop.AppDir"
rm -rf "$work"
mkdir -p "$work"
tar -xzf "$tarball" -C "$work"
unpacked=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'ei-desktop-*' | head -n 1)
version=${unpacked##*/ei-desktop-}

mkdir -p "$appdir/usr/lib"
mv "$unpacked" "$appdir/usr/lib/ei-desktop"
mv "$appdir/usr/lib/ei-desktop/share" "$appdir/usr/share"
rm -f "$appdir/usr/lib/ei-desktop/install-desktop-entry.sh" "$appdir/usr/lib/ei-desktop/README.txt"

cp "$here/AppRun" "$appdir/AppRun"
chmod 755 "$appdir/AppRun"
# The AppImage is one program: Exec names it (AppImage integrators rewrite Exec to its path).
sed -e 's/^Exec=.*/Exec=ei-desktop %F/' -e '/^TryExec=/d' \
    "$appdir/usr/share/applications/ei-desktop.desktop" >"$appdir/ei-desktop.desktop"
cp "$appdir/ei-desktop.desktop" "$appdir/usr/share/applications/ei-desktop.desktop"
cp "$appdir/usr/share/icons/hicolor/256x256/apps/ei-desktop.png" "$appdir/ei-desktop.png"
ln -s ei-desktop.png "$appdir/.DirIcon"

if [ "$appdir_only" = yes ]; then
    echo "$appdir"
    exit 0
fi

tool=${APPIMAGETOOL:-$(command -v appimagetool || true)}
if [ -z "$tool" ]; then
    echo "appimagetool not found: set APPIMAGETOOL or put it on PATH." >&2
    exit 1
fi
appimage="$output/ei-desktop-$version-x86_64.AppImage"
ARCH=x86_64 "$tool" --no-appstream "$appdir" "$appimage"
echo "$appimage"
