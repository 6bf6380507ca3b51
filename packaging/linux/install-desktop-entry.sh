#!/bin/sh
# Put ei-desktop in your application menu (for you only, no administrator rights needed):
#
#     ./install-desktop-entry.sh              add the menu entry, the icon and ~/.local/bin links
#     ./install-desktop-entry.sh --uninstall  remove them again
#
# Run it from the unpacked folder, where it stays: the menu entry starts the app from here.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-"$HOME/.local/share"}
apps="$data/applications"
icons="$data/icons/hicolor"
bin="$HOME/.local/bin"
desktop=ei-desktop.desktop

refresh() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$apps" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
        gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/$desktop"
    for file in "$here"/share/icons/hicolor/*/apps/ei-desktop.*; do
        size=$(basename "$(dirname "$(dirname "$file")")")
        rm -f "$icons/$size/apps/$(basename "$file")"
    done
    for name in ei-desktop ei-desktop-gui; do
        if [ -L "$bin/$name" ] && [ "$(readlink "$bin/$name")" = "$here/$name" ]; then
            rm -f "$bin/$name"
        fi
    done
    refresh
    echo "Removed ei-desktop from the application menu."
    exit 0
fi

case "$here" in
    *[\"\`\$\\]*)
        echo "Move this folder to a path without \", \`, \$ or \\ first: $here" >&2
        exit 1
        ;;
esac

mkdir -p "$apps"
sed -e "s|^Exec=.*|Exec=\"$here/ei-desktop-gui\" %F|" \
    -e "s|^TryExec=.*|TryExec=$here/ei-desktop-gui|" \
    "$here/share/applications/$desktop" >"$apps/$desktop.tmp"
mv "$apps/$desktop.tmp" "$apps/$desktop"

for file in "$here"/share/icons/hicolor/*/apps/ei-desktop.*; do
    size=$(basename "$(dirname "$(dirname "$file")")")
    mkdir -p "$icons/$size/apps"
    cp "$file" "$icons/$size/apps/"
done

mkdir -p "$bin"
for name in ei-desktop ei-desktop-gui; do
    if [ ! -e "$bin/$name" ] || [ -L "$bin/$name" ]; then
        ln -sfn "$here/$name" "$bin/$name"
    fi
done

refresh
echo "ei-desktop is in your application menu (it may take a moment to appear)."
echo "The command line is $here/ei-desktop (linked from $bin when that was free)."
