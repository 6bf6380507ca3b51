"""The main window's actions, and the menus and toolbar that show them.

Actions are built here without behaviour; the window connects each one to the controller that
carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QToolBar

from ei_desktop.core.naming import CATEGORIES
from ei_desktop.gui import icons
from ei_desktop.gui.models import format as fmt

_SP = QStyle.StandardPixmap


def _action(
    window: QMainWindow,
    text: str,
    shortcut=None,
    icon: Optional[QStyle.StandardPixmap] = None,
    tip: str = "",
    role: Optional[QAction.MenuRole] = None,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if icon is not None:
        action.setIcon(icons.standard(icon))
    if tip:
        action.setStatusTip(tip)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
    if role is not None:
        action.setMenuRole(role)
    window.addAction(action)
    return action


def _redo_action(window: QMainWindow) -> QAction:
    action = _action(window, "&Redo", icon=_SP.SP_ArrowForward)
    action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    set_tip(action, "Redo")
    return action


def set_tip(action: QAction, tip: str) -> None:
    """Give ``action`` a status tip and a tooltip naming its first shortcut."""
    action.setStatusTip(tip)
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)


def menu_showing(window: QMainWindow, action: QAction) -> QMenu:
    """The menu of ``window``'s menu bar that shows ``action``."""
    for item in window.menuBar().actions():
        menu = item.menu()
        if menu is not None and action in menu.actions():
            return menu
    raise LookupError(f"No menu of the menu bar shows {action.text()!r}")


def insert_after(menu: QMenu, anchor: QAction, action: QAction) -> None:
    """Show ``action`` in ``menu`` right after ``anchor``."""
    actions = menu.actions()
    after = actions.index(anchor) + 1
    menu.insertAction(actions[after] if after < len(actions) else None, action)


@dataclass
class WindowActions:
    """Every action of the main window's menus, toolbar and shortcuts."""

    upload_files: QAction
    upload_folder: QAction
    import_csv: QAction
    download: QAction
    delete: QAction
    delete_category: QAction
    select_all: QAction
    find: QAction
    refresh: QAction
    connect: QAction
    open_default: QAction
    reveal: QAction
    forget_key: QAction
    quit: QAction
    about: QAction
    about_qt: QAction
    show_tree: QAction
    show_preview: QAction
    undo: QAction
    redo: QAction
    set_label: QAction
    rename: QAction
    enable: QAction
    disable: QAction
    crop: QAction
    split: QAction
    #: "Move to <category>" for each category
    move_to: dict[str, QAction] = field(default_factory=dict)
    #: the "Move to" submenu (built with the menus; the table's context menu shows it too)
    move_menu: Optional[QMenu] = None

    @classmethod
    def create(cls, window: QMainWindow) -> WindowActions:
        """The actions, owned by ``window`` (so their shortcuts work anywhere in it)."""
        role = QAction.MenuRole
        show_tree = QAction("&Categories", window, checkable=True, checked=True)
        show_preview = QAction("&Preview", window, checkable=True, checked=True)
        return cls(
            upload_files=_action(
                window, "&Upload files…", "Ctrl+O", _SP.SP_FileIcon, "Upload sample files"
            ),
            upload_folder=_action(
                window,
                "Upload &folder…",
                "Ctrl+Shift+O",
                _SP.SP_DirIcon,
                "Upload every supported file in a folder",
            ),
            import_csv=_action(
                window,
                "&Import CSV…",
                "Ctrl+I",
                _SP.SP_FileDialogDetailedView,
                "Import CSV files as samples (per file, per row, wide or grouped)",
            ),
            download=_action(
                window,
                "&Download selected…",
                "Ctrl+D",
                _SP.SP_DialogSaveButton,
                "Download the selected samples to a folder",
            ),
            delete=_action(
                window,
                "&Delete selected…",
                QKeySequence.StandardKey.Delete,
                _SP.SP_TrashIcon,
                "Delete the selected samples",
            ),
            delete_category=_action(
                window,
                "Delete all in category…",
                tip="Delete every sample of the selected category",
            ),
            select_all=_action(window, "Select &all", QKeySequence.StandardKey.SelectAll),
            find=_action(window, "&Filter…", "Ctrl+F"),
            refresh=_action(
                window, "&Refresh", "F5", _SP.SP_BrowserReload, "Read the project again"
            ),
            connect=_action(
                window,
                "&Open project or connect…",
                "Ctrl+K",
                _SP.SP_DriveNetIcon,
                "Open a local project, Edge Impulse, or an ei-desktop server",
            ),
            open_default=_action(window, "Open the &default project"),
            reveal=_action(window, "Show project &folder", icon=_SP.SP_DirOpenIcon),
            forget_key=_action(window, "&Forget the saved API key"),
            quit=_action(window, "&Quit", "Ctrl+Q", role=role.QuitRole),
            about=_action(window, "&About ei-desktop", role=role.AboutRole),
            about_qt=_action(window, "About &Qt", role=role.AboutQtRole),
            show_tree=show_tree,
            show_preview=show_preview,
            undo=_action(window, "&Undo", QKeySequence.StandardKey.Undo, _SP.SP_ArrowBack, "Undo"),
            redo=_redo_action(window),
            set_label=_action(
                window, "Set &label…", "Ctrl+L", tip="Give the selected samples one label"
            ),
            rename=_action(window, "Re&name…", "Ctrl+R", tip="Rename the selected sample"),
            enable=_action(
                window, "&Enable", "Ctrl+E", tip="Enable the selected samples (training uses them)"
            ),
            disable=_action(
                window,
                "D&isable",
                "Ctrl+Shift+E",
                tip="Disable the selected samples (left out of training and downloads)",
            ),
            crop=_action(
                window, "&Crop…", tip="Keep a part of the selected time series or audio sample"
            ),
            split=_action(
                window,
                "S&plit…",
                tip="Split the selected time series or audio sample into several samples",
            ),
            move_to={
                category: _action(
                    window,
                    f"&{number} {fmt.category_name(category)}",
                    f"Ctrl+Alt+{number}",
                    tip=f"Move the selected samples to {fmt.category_name(category)}",
                )
                for number, category in enumerate(CATEGORIES, start=1)
            },
        )

    def build_menus(self, window: QMainWindow) -> tuple[QMenu, QMenu]:
        """Fill ``window``'s menu bar; returns the "Open recent" menu (filled when shown) and
        the View menu.
        """
        bar = window.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.upload_files, self.upload_folder, self.import_csv])
        file_menu.addSeparator()
        file_menu.addAction(self.download)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.undo)
        edit_menu.addAction(self.redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.set_label)
        self.move_menu = QMenu("&Move to", window)
        self.move_menu.addActions(list(self.move_to.values()))
        edit_menu.addMenu(self.move_menu)
        edit_menu.addAction(self.rename)
        edit_menu.addAction(self.enable)
        edit_menu.addAction(self.disable)
        edit_menu.addSeparator()
        edit_menu.addAction(self.crop)
        edit_menu.addAction(self.split)
        edit_menu.addSeparator()
        edit_menu.addAction(self.select_all)
        edit_menu.addAction(self.find)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete)
        edit_menu.addAction(self.delete_category)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.refresh)
        view_menu.addSeparator()
        view_menu.addAction(self.show_tree)
        view_menu.addAction(self.show_preview)

        project_menu = bar.addMenu("&Project")
        project_menu.addAction(self.connect)
        recent_menu = project_menu.addMenu("Open &recent")
        project_menu.addAction(self.open_default)
        project_menu.addSeparator()
        project_menu.addAction(self.reveal)
        project_menu.addAction(self.forget_key)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about)
        help_menu.addAction(self.about_qt)
        return recent_menu, view_menu

    def build_toolbar(self, window: QMainWindow, view_menu: QMenu) -> QToolBar:
        """Add the main toolbar to ``window`` and its toggle to ``view_menu``."""
        toolbar = QToolBar("Main toolbar", window)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.upload_files)
        toolbar.addAction(self.upload_folder)
        toolbar.addAction(self.import_csv)
        toolbar.addSeparator()
        toolbar.addAction(self.download)
        toolbar.addAction(self.delete)
        toolbar.addSeparator()
        toolbar.addAction(self.undo)
        toolbar.addAction(self.redo)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh)
        toolbar.addAction(self.connect)
        for action, short in (
            (self.upload_files, "Upload"),
            (self.upload_folder, "Folder"),
            (self.import_csv, "CSV"),
            (self.download, "Download"),
            (self.delete, "Delete"),
            (self.refresh, "Refresh"),
            (self.connect, "Connect"),
        ):
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setText(short)
        # their menu text names the change ("Undo Label 'idle' on 3 samples"): short here
        self.undo.setIconText("Undo")
        self.redo.setIconText("Redo")
        window.addToolBar(toolbar)
        view_menu.addAction(toolbar.toggleViewAction())
        return toolbar
