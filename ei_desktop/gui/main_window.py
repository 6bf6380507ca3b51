"""The main window: category tree, filter bar, sample table, preview, and every operation.

Nothing here touches a file or a backend on the UI thread: listing, previews, uploads,
downloads, deletes and even opening a project run as jobs; their results come back as
signals.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Optional

from PySide6.QtCore import QByteArray, QItemSelectionModel, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.backends.base import (
    Backend,
    DamagedProjectError,
    InvalidApiKey,
    NotAProjectError,
    SampleQuery,
)
from ei_desktop.core.connection import default_project_path
from ei_desktop.gui import icons
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.credentials import CredentialStore
from ei_desktop.gui.dialogs.about import AboutDialog
from ei_desktop.gui.dialogs.confirm import ConfirmDialog, TypedConfirmDialog
from ei_desktop.gui.dialogs.connection import ConnectionDialog
from ei_desktop.gui.dialogs.csv_import import CsvImportDialog
from ei_desktop.gui.dialogs.progress import ProgressDialog
from ei_desktop.gui.dialogs.results import ResultsDialog
from ei_desktop.gui.dialogs.upload_options import UploadOptionsDialog
from ei_desktop.gui.jobs.connect import open_backend
from ei_desktop.gui.jobs.csv_import import csv_import_job
from ei_desktop.gui.jobs.delete import delete_category_job, delete_job
from ei_desktop.gui.jobs.download import download_job
from ei_desktop.gui.jobs.listing import label_counts_job
from ei_desktop.gui.jobs.outcome import Outcome
from ei_desktop.gui.jobs.preview import PreviewData, preview_job
from ei_desktop.gui.jobs.runner import Job, JobRunner
from ei_desktop.gui.jobs.upload import UploadOptions, upload_paths_job
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.models.category_tree import ALL, CategoryTreeModel
from ei_desktop.gui.models.sample_table import SampleTableModel
from ei_desktop.gui.settings import Settings
from ei_desktop.gui.widgets.drop_overlay import DropOverlay
from ei_desktop.gui.widgets.empty_state import EMPTY_PROJECT, LOADING, NO_MATCH, EmptyState
from ei_desktop.gui.widgets.filter_bar import FilterBar
from ei_desktop.gui.widgets.message_bar import MessageBar
from ei_desktop.gui.widgets.sample_table import SampleTableView

log = logging.getLogger(__name__)

#: the preview waits for the selection to settle this long (key auto-repeat)
PREVIEW_DELAY_MS = 60


def _preview_panel_class():
    try:
        from ei_desktop.gui.widgets.preview import PreviewPanel
    except ImportError as exc:  # pragma: no cover - the widgets ship with the gui
        log.warning("Preview widgets unavailable: %s", exc)
        return None
    return PreviewPanel


class _FallbackPreview(QLabel):
    """Stands in for the preview panel when its module cannot be imported."""

    current_id = None

    def __init__(self, parent=None) -> None:
        super().__init__("Preview unavailable", parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def show_empty(self, text: str = "") -> None:
        self.current_id = None
        self.setText(text)

    def show_loading(self, record) -> None:
        self.current_id = record.id
        self.setText(f"Loading {record.filename}…")

    def show_sample(self, record, series=None, data=None) -> None:
        self.current_id = record.id
        self.setText(record.filename)

    def show_error(self, record, message: str) -> None:
        self.current_id = record.id if record is not None else None
        self.setText(message)


class MainWindow(QMainWindow):
    """The ei-desktop window.

    Args:
        settings: where the layout and the last connection are remembered.
        credentials: where API keys are kept (default: keyring, else a 0600 file).
    """

    def __init__(self, settings: Settings, credentials: Optional[CredentialStore] = None) -> None:
        super().__init__()
        self.settings = settings
        self.credentials = credentials or CredentialStore()
        self.backend: Optional[Backend] = None
        self.spec: Optional[ConnectionSpec] = None
        # operations and reads get separate pools: a long upload never delays the table
        self.jobs = JobRunner(max_threads=2, parent=self)
        self.reads = JobRunner(max_threads=2, parent=self)
        self.last_outcome: Optional[Outcome] = None
        self.results_dialog: Optional[ResultsDialog] = None
        self.progress_dialog: Optional[ProgressDialog] = None
        self.active_dialog: Optional[QDialog] = None
        self.connection_dialog: Optional[ConnectionDialog] = None
        self._connect_generation = 0
        self._preview_generation = 0
        self._counts_job: Optional[Job] = None
        self._upload_options = UploadOptions()
        self._closing = False

        self.setWindowTitle("ei-desktop")
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self._build_models()
        self._build_widgets()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._restore_layout()
        self._update_actions()
        self._update_empty_state()

    # == construction =========================================================================

    def _build_models(self) -> None:
        self.table_model = SampleTableModel(self.reads, self)
        self.tree_model = CategoryTreeModel(self)
        self.table_model.listingStarted.connect(self._listing_started)
        self.table_model.listingFinished.connect(self._listing_finished)
        self.table_model.listingFailed.connect(self._listing_failed)
        self.table_model.rowsFailed.connect(self._rows_failed)
        self.table_model.modelReset.connect(self._update_status)
        self.table_model.rowsInserted.connect(self._update_status)

    def _build_widgets(self) -> None:
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(False)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName("Categories and labels")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("0,000,000") + 16)
        self.tree.expand(self.tree_model.index_of(ALL))
        self.tree.setCurrentIndex(self.tree_model.index_of(ALL))
        self.tree.selectionModel().currentChanged.connect(self._tree_changed)

        self.filter_bar = FilterBar(self)
        self.filter_bar.changed.connect(self._filter_changed)
        self.message_bar = MessageBar(self)
        self.table = SampleTableView(self.table_model, self)
        self.table.setAccessibleName("Samples")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.empty_state = EmptyState(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)

        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(6, 6, 6, 0)
        center_layout.setSpacing(6)
        center_layout.addWidget(self.message_bar)
        center_layout.addWidget(self.filter_bar)
        center_layout.addWidget(self.stack, 1)

        panel_class = _preview_panel_class()
        self.preview = panel_class(self) if panel_class is not None else _FallbackPreview(self)
        self.preview.setMinimumWidth(280)
        self.preview.show_empty(text="Select a sample to preview it")
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._load_preview)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([240, 760, 420])
        self.setCentralWidget(self.splitter)
        self.drop_overlay = DropOverlay(self.splitter)

        self.empty_state.uploadFiles.connect(lambda: self.upload_files())
        self.empty_state.uploadFolder.connect(lambda: self.upload_folder())
        self.empty_state.importCsv.connect(lambda: self.import_csv())
        self.empty_state.clearFilter.connect(self.clear_filter)

    def _action(
        self,
        text: str,
        slot,
        shortcut=None,
        icon: Optional[QStyle.StandardPixmap] = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(icons.standard(icon))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.upload_files_action = self._action(
            "&Upload files…", self.upload_files, "Ctrl+O", sp.SP_FileIcon, "Upload sample files"
        )
        self.upload_folder_action = self._action(
            "Upload &folder…",
            self.upload_folder,
            "Ctrl+Shift+O",
            sp.SP_DirIcon,
            "Upload every supported file in a folder",
        )
        self.import_csv_action = self._action(
            "&Import CSV…",
            self.import_csv,
            "Ctrl+I",
            sp.SP_FileDialogDetailedView,
            "Import CSV files as samples (per file, per row, wide or grouped)",
        )
        self.download_action = self._action(
            "&Download selected…",
            self.download_selected,
            "Ctrl+D",
            sp.SP_DialogSaveButton,
            "Download the selected samples to a folder",
        )
        self.delete_action = self._action(
            "&Delete selected…",
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
            sp.SP_TrashIcon,
            "Delete the selected samples",
        )
        self.delete_category_action = self._action(
            "Delete all in category…",
            self.delete_category,
            None,
            None,
            "Delete every sample of the selected category",
        )
        self.select_all_action = self._action(
            "Select &all", self.select_all, QKeySequence.StandardKey.SelectAll
        )
        self.find_action = self._action("&Filter…", self.focus_filter, "Ctrl+F")
        self.refresh_action = self._action(
            "&Refresh", self.refresh, "F5", sp.SP_BrowserReload, "Read the project again"
        )
        self.connect_action = self._action(
            "&Open project or connect…",
            self.show_connection_dialog,
            "Ctrl+K",
            sp.SP_DriveNetIcon,
            "Open a local project, Edge Impulse, or an ei-desktop server",
        )
        self.open_default_action = self._action(
            "Open the &default project", self.open_default_project
        )
        self.reveal_action = self._action(
            "Show project &folder", self.reveal_project_folder, None, sp.SP_DirOpenIcon
        )
        self.forget_key_action = self._action("&Forget the saved API key", self.forget_key)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.about_action = self._action("&About ei-desktop", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_qt_action = self._action("About &Qt", QApplication.aboutQt)
        self.about_qt_action.setMenuRole(QAction.MenuRole.AboutQtRole)

        self.show_tree_action = QAction("&Categories", self, checkable=True, checked=True)
        self.show_tree_action.toggled.connect(self.tree.setVisible)
        self.show_preview_action = QAction("&Preview", self, checkable=True, checked=True)
        self.show_preview_action.toggled.connect(self.preview.setVisible)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions(
            [self.upload_files_action, self.upload_folder_action, self.import_csv_action]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.download_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu("&Edit")
        edit_menu.addAction(self.select_all_action)
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)
        edit_menu.addAction(self.delete_category_action)

        view_menu = bar.addMenu("&View")
        view_menu.addAction(self.refresh_action)
        view_menu.addSeparator()
        view_menu.addAction(self.show_tree_action)
        view_menu.addAction(self.show_preview_action)
        self.view_menu = view_menu

        project_menu = bar.addMenu("&Project")
        project_menu.addAction(self.connect_action)
        self.recent_menu = project_menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        project_menu.addAction(self.open_default_action)
        project_menu.addSeparator()
        project_menu.addAction(self.reveal_action)
        project_menu.addAction(self.forget_key_action)

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        help_menu.addAction(self.about_qt_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar", self)
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.upload_files_action)
        toolbar.addAction(self.upload_folder_action)
        toolbar.addAction(self.import_csv_action)
        toolbar.addSeparator()
        toolbar.addAction(self.download_action)
        toolbar.addAction(self.delete_action)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        toolbar.addAction(self.connect_action)
        for action, short in (
            (self.upload_files_action, "Upload"),
            (self.upload_folder_action, "Folder"),
            (self.import_csv_action, "CSV"),
            (self.download_action, "Download"),
            (self.delete_action, "Delete"),
            (self.refresh_action, "Refresh"),
            (self.connect_action, "Connect"),
        ):
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setText(short)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self.view_menu.addAction(toolbar.toggleViewAction())

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel(self)
        self.connection_label = QLabel(self)
        self.connection_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.connection_label)

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 820)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.splitter_state("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = self.settings.splitter_state("table-header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
            # the sort comes from the query, not from a saved header
            self.table.horizontalHeader().setSortIndicator(
                self.table_model.sort_column(), Qt.SortOrder.DescendingOrder
            )

    def save_layout(self) -> None:
        """Remember the window's geometry, splitter and column widths."""
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.save_splitter_state("splitter", self.splitter.saveState())
        self.settings.save_splitter_state(
            "table-header", QByteArray(self.table.horizontalHeader().saveState())
        )
        self.settings.sync()

    # == connection ===========================================================================

    def open_startup(self, project: Optional[str] = None) -> None:
        """Open ``project`` (a folder), else the last connection, else the default project."""
        if project:
            self.open_connection(ConnectionSpec.local(os.path.abspath(project)))
            return
        last = self.settings.last_connection()
        if last is not None and last.is_remote:
            key = self.credentials.load(last.credential_account)
            if key:
                self.open_connection(last, key)
                return
            last = None
        self.open_connection(last or ConnectionSpec.local(str(default_project_path())))

    def open_connection(
        self,
        spec: ConnectionSpec,
        api_key: Optional[str] = None,
        *,
        remember: bool = False,
        dialog: Optional[ConnectionDialog] = None,
    ) -> Job:
        """Open ``spec`` in a job; the window switches to it once it answered."""
        self._connect_generation += 1
        generation = self._connect_generation
        credentials = self.credentials

        def run(progress, cancel):
            backend = open_backend(spec, api_key)
            note = None
            if remember and spec.is_remote and api_key:
                note = credentials.save(spec.credential_account, api_key)
            return backend, note

        self.statusBar().showMessage(f"Opening {spec.title()}…")
        if self.backend is None:
            self.empty_state.set_mode(LOADING)
            self.stack.setCurrentWidget(self.empty_state)
        job = Job(run, name="connect")
        job.signals.finished.connect(
            lambda result: self._connected(generation, spec, result, dialog)
        )
        job.signals.failed.connect(
            lambda message: self._connect_failed(generation, spec, job, message, dialog)
        )
        return self.reads.start(job)

    @while_alive
    def _connected(self, generation, spec, result, dialog) -> None:
        if generation != self._connect_generation:
            return
        backend, note = result
        self.backend = backend
        self.spec = spec
        self.settings.save_last_connection(spec)
        if spec.kind == "server" and spec.address:
            self.settings.save_server_address(spec.address)
        self.message_bar.hide()
        if dialog is not None:
            dialog.accept()
        self.setWindowTitle(f"{spec.title()} — ei-desktop")
        self.connection_label.setText(("🖧 " if spec.is_remote else "") + spec.title())
        self.connection_label.setToolTip(backend.description)
        self.statusBar().showMessage(
            f"Opened {spec.title()}" + (f" · {note}" if note else ""), 6000
        )
        self.table_model.set_backend(backend, self._query())
        self.preview.show_empty(text="Select a sample to preview it")
        self.refresh_counts()
        self._update_actions()

    @while_alive
    def _connect_failed(self, generation, spec, job: Job, message: str, dialog) -> None:
        if generation != self._connect_generation:
            return
        if isinstance(job.exception, InvalidApiKey):
            message = (
                f"{spec.title()} refused the API key. Check the key (in Edge Impulse: "
                "Dashboard → Keys) and try again."
            )
        elif isinstance(job.exception, NotAProjectError):
            message = (
                f"Cannot open {spec.title()}: {job.exception}. Nothing was created: check the"
                " path, or tick “Create a new project in this folder” (Project → Open project)."
            )
        elif isinstance(job.exception, DamagedProjectError):
            message = str(job.exception)
        else:
            message = f"Cannot open {spec.title()}: {message}"
        self.statusBar().clearMessage()
        if dialog is not None and dialog.isVisible():
            dialog.connection_failed(message)
            return
        self.message_bar.show_message(
            message, "error", ("Open project…", self.show_connection_dialog)
        )
        self._update_empty_state()

    def show_connection_dialog(self) -> ConnectionDialog:
        """Open the connection dialog (non-blocking); returns it."""
        dialog = ConnectionDialog(
            self.credentials,
            recent=self.settings.recent_projects(),
            current=self.spec,
            server_address=self.settings.server_address(),
            parent=self,
        )
        dialog.connectRequested.connect(
            lambda spec, key, remember: self.open_connection(
                spec, key or None, remember=remember, dialog=dialog
            )
        )
        self.connection_dialog = dialog
        self._open_dialog(dialog)
        return dialog

    def open_default_project(self) -> None:
        """Open the default local project."""
        self.open_connection(ConnectionSpec.local(str(default_project_path())))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_projects()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(
                lambda _checked=False, p=path: self.open_connection(ConnectionSpec.local(p))
            )

    def reveal_project_folder(self) -> None:
        """Show the local project's folder in the file manager."""
        if self.spec is not None and self.spec.path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.spec.path))

    def forget_key(self) -> None:
        """Forget the saved key of the current server."""
        if self.spec is not None and self.spec.is_remote:
            self.credentials.delete(self.spec.credential_account)
            self.statusBar().showMessage("The saved API key was removed.", 5000)

    # == browsing =============================================================================

    def _query(self) -> SampleQuery:
        label = self.filter_bar.label()
        current = self.table_model.query
        return SampleQuery(
            category=self.filter_bar.category(),
            labels=(label,) if label is not None else None,
            filename=self.filter_bar.text(),
            sort=current.sort,
            descending=current.descending,
        )

    def _filter_changed(self) -> None:
        category, label = self.filter_bar.category(), self.filter_bar.label()
        index = self.tree_model.index_of((category, label))
        if not index.isValid():
            index = self.tree_model.index_of((category, None))
        if index.isValid() and index != self.tree.currentIndex():
            self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(index)
            self.tree.selectionModel().blockSignals(False)
            self.tree.viewport().update()
        self._apply_query()

    def _tree_changed(self, current, _previous=None) -> None:
        category, label = self.tree_model.key_of(current)
        self.filter_bar.set_category_label(category, label)
        self._apply_query()

    def _apply_query(self) -> None:
        self.table_model.set_query(self._query())
        self._update_actions()

    def clear_filter(self) -> None:
        """Show every sample."""
        self.filter_bar.text_edit.clear()
        self.filter_bar.set_category_label(None, None)
        self.tree.setCurrentIndex(self.tree_model.index_of(ALL))
        self.filter_bar.flush()
        self._apply_query()

    def focus_filter(self) -> None:
        """Put the cursor in the name filter."""
        self.filter_bar.focus_text()

    def select_all(self) -> None:
        """Select every listed sample (instant: nothing is fetched)."""
        self.table.setFocus()
        self.table.selectAll()

    def refresh(self) -> None:
        """Read the project again, keeping the selection and the scroll position."""
        if self.backend is None:
            if self.spec is not None:
                self.open_connection(self.spec)
            return
        self.message_bar.hide()
        self.table_model.refresh()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Read the per-label counts again (tree, label filter, empty state)."""
        if self.backend is None:
            return
        if self._counts_job is not None:
            self._counts_job.cancel()
        backend = self.backend
        job = Job(label_counts_job(backend), name="label counts")
        self._counts_job = job
        job.signals.finished.connect(lambda counts: self._counts_loaded(job, backend, counts))
        job.signals.failed.connect(lambda message: self._counts_failed(job, message))
        self.reads.start(job)

    @while_alive
    def _counts_loaded(self, job: Job, backend: Backend, counts) -> None:
        if job is not self._counts_job or backend is not self.backend:
            return
        self._counts_job = None
        self.tree_model.set_counts(counts)
        self.tree.expand(self.tree_model.index_of(ALL))
        self.filter_bar.set_labels(self.tree_model.labels())
        self._update_empty_state()
        self._update_status()

    @while_alive
    def _counts_failed(self, job: Job, message: str) -> None:
        if job is not self._counts_job:
            return
        self._counts_job = None
        self._show_backend_error("Cannot read the sample counts", message)

    def _listing_started(self) -> None:
        self._update_status()

    def _listing_finished(self) -> None:
        self._update_empty_state()
        self._update_status()
        if self.table.currentIndex().isValid():
            self._current_changed()

    def _listing_failed(self, message: str) -> None:
        self._show_backend_error("Cannot list the samples", message)

    def _rows_failed(self, message: str) -> None:
        self._show_backend_error("Cannot load some rows", message)

    def _show_backend_error(self, what: str, message: str) -> None:
        self.message_bar.show_message(f"{what}: {message}", "error", ("Retry", self.refresh))
        self._update_empty_state()

    def _update_empty_state(self) -> None:
        listed = self.table_model.rowCount()
        if listed > 0:
            self.stack.setCurrentWidget(self.table)
            return
        if self.backend is None or self.table_model.loading:
            if self.backend is None and self.spec is None and not self.message_bar.isVisible():
                self.empty_state.set_mode(LOADING)
            elif self.backend is None:
                self.empty_state.set_mode(EMPTY_PROJECT)
            else:
                # keep what is shown while a listing runs
                return
            self.stack.setCurrentWidget(self.empty_state)
            return
        if self.tree_model.total() == 0 and not self._query_filters():
            self.empty_state.set_mode(EMPTY_PROJECT)
        else:
            self.empty_state.set_mode(NO_MATCH)
        self.stack.setCurrentWidget(self.empty_state)

    def _query_filters(self) -> bool:
        query = self.table_model.query
        return bool(query.category or query.labels or query.filename)

    def _selection_changed(self, *_args) -> None:
        self._update_status()
        self._update_actions()

    def _update_status(self) -> None:
        listed = self.table_model.rowCount()
        total = self.tree_model.total()
        if self.backend is None:
            text = ""
        elif self.table_model.loading and listed == 0:
            text = "Loading…"
        else:
            noun = "sample" if listed == 1 else "samples"
            text = f"{fmt.count(listed)} {noun}"
            if self._query_filters() and total and total != listed:
                text = f"{fmt.count(listed)} of {fmt.count(total)} samples"
            if self.table_model.loading:
                text += " (loading…)"
        selected = self.table.selected_count()
        if selected:
            text += f" · {fmt.count(selected)} selected"
        self.count_label.setText(text)

    def status_text(self) -> str:
        """The counts shown in the status bar ("12,345 samples · 3 selected")."""
        return self.count_label.text()

    def _update_actions(self) -> None:
        connected = self.backend is not None
        selected = self.table.selected_count() if connected else 0
        for action in (
            self.upload_files_action,
            self.upload_folder_action,
            self.import_csv_action,
            self.refresh_action,
        ):
            action.setEnabled(connected)
        self.download_action.setEnabled(selected > 0)
        self.delete_action.setEnabled(selected > 0)
        category = self.filter_bar.category()
        self.delete_category_action.setEnabled(connected and category is not None)
        self.delete_category_action.setText(
            f"Delete all in {fmt.category_name(category)}…"
            if category
            else "Delete all in category…"
        )
        self.reveal_action.setEnabled(self.spec is not None and self.spec.kind == "local")
        self.forget_key_action.setEnabled(self.spec is not None and self.spec.is_remote)

    def _table_menu(self, position) -> None:
        menu = QMenu(self)
        menu.addAction(self.download_action)
        menu.addAction(self.delete_action)
        menu.addSeparator()
        copy_ids = menu.addAction("Copy IDs")
        copy_ids.setEnabled(self.table.selected_count() > 0)
        copy_ids.triggered.connect(self.copy_selected_ids)
        menu.addAction(self.select_all_action)
        menu.popup(self.table.viewport().mapToGlobal(position))

    def copy_selected_ids(self) -> None:
        """Put the selected ids on the clipboard, one per line."""
        ids = self.table.selected_ids()
        QGuiApplication.clipboard().setText("\n".join(str(i) for i in ids.tolist()))

    # == preview ==============================================================================

    def _current_changed(self, *_args) -> None:
        self._preview_timer.start()

    def _load_preview(self) -> None:
        sample_id = self.table.current_id()
        self._preview_generation += 1
        generation = self._preview_generation
        if sample_id is None or self.backend is None:
            self.preview.show_empty(text="Select a sample to preview it")
            return
        if getattr(self.preview, "current_id", None) == sample_id and not self.table_model.loading:
            return
        record = self.table_model.record(sample_id)
        if record is not None:
            self.preview.show_loading(record)
        else:
            self.preview.show_empty(text="Loading…")
        job = Job(preview_job(self.backend, sample_id, generation, record), name="preview")
        job.signals.finished.connect(self._preview_loaded)
        job.signals.failed.connect(
            lambda message: self._preview_failed(generation, record, message)
        )
        self.reads.start(job, priority=2)

    @while_alive
    def _preview_loaded(self, result: PreviewData) -> None:
        if result.generation != self._preview_generation:
            return  # the selection moved on
        if result.record is None:
            self.preview.show_error(None, "This sample no longer exists.")
            return
        try:
            self.preview.show_sample(result.record, series=result.series, data=result.data)
        except Exception as exc:  # noqa: BLE001 - a bad sample must not break the window
            log.exception("Preview of sample %s failed", result.sample_id)
            self.preview.show_error(result.record, f"Cannot show this sample: {exc}")

    @while_alive
    def _preview_failed(self, generation: int, record, message: str) -> None:
        if generation == self._preview_generation:
            self.preview.show_error(record, f"Cannot load this sample: {message}")

    # == operations ===========================================================================

    def _open_dialog(self, dialog: QDialog) -> None:
        self.active_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_closed(d))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.active_dialog is dialog:
            self.active_dialog = None
        if self.connection_dialog is dialog:
            self.connection_dialog = None

    def run_operation(self, fn, title: str, *, results: str = "always") -> Job:
        """Run a mutating or long job with a progress dialog, then report its outcome.

        Args:
            fn: the job function (returns an :class:`Outcome`).
            title: the progress dialog's title ("Uploading").
            results: when to show the results dialog: ``always``, or ``problems`` (only
                with failures or when cancelled).
        """
        job = Job(fn, name=title)
        self.progress_dialog = ProgressDialog(job, title, self)
        job.signals.finished.connect(lambda outcome: self._operation_finished(outcome, results))
        job.signals.failed.connect(lambda message: self._operation_failed(title, job, message))
        return self.jobs.start(job)

    @while_alive
    def _operation_finished(self, outcome: Outcome, results: str) -> None:
        self.last_outcome = outcome
        self.statusBar().showMessage(outcome.summary(), 8000)
        if outcome.changed or outcome.cancelled:
            self.refresh()
        if results == "always" or outcome.failures or outcome.cancelled:
            if self._closing:
                return
            dialog = ResultsDialog(outcome, self)
            self.results_dialog = dialog
            self._open_dialog(dialog)

    @while_alive
    def _operation_failed(self, title: str, job: Job, message: str) -> None:
        self.last_outcome = None
        text = f"{title} failed: {message}"
        self.statusBar().showMessage(text, 8000)
        self.refresh()
        if self._closing:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        if job.error_details:
            box.setDetailedText(job.error_details)
        self._open_dialog(box)

    # -- upload -------------------------------------------------------------------------------

    def upload_files(self, paths: Optional[Sequence[str]] = None) -> None:
        """Upload files (asks for them when ``paths`` is ``None``)."""
        if self.backend is None:
            return
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(
                self,
                "Upload files",
                "",
                "Samples (*.csv *.json *.cbor *.wav *.jpg *.jpeg *.png *.mp4 *.avi *.txt);;"
                "All files (*)",
            )
            if not paths:
                return
        self.ask_upload(list(paths))

    def upload_folder(self, folder: Optional[str] = None) -> None:
        """Upload a folder (asks for it when ``folder`` is ``None``)."""
        if self.backend is None:
            return
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Upload folder")
            if not folder:
                return
        self.ask_upload([folder])

    def ask_upload(self, paths: list[str]) -> UploadOptionsDialog:
        """Show the upload options for ``paths``; uploading starts when accepted."""
        dialog = UploadOptionsDialog(
            paths, self.tree_model.labels(), self._upload_options, "Upload", self
        )
        dialog.accepted.connect(lambda: self.start_upload(paths, dialog.options()))
        self._open_dialog(dialog)
        return dialog

    def start_upload(self, paths: Sequence[str], options: UploadOptions) -> Optional[Job]:
        """Upload ``paths`` with ``options`` (no dialog first)."""
        if self.backend is None:
            return None
        self._upload_options = options
        return self.run_operation(upload_paths_job(self.backend, paths, options), "Uploading")

    # -- CSV ----------------------------------------------------------------------------------

    def import_csv(self, files: Optional[Sequence[str]] = None) -> Optional[CsvImportDialog]:
        """Import CSV files (asks for them when ``files`` is ``None``)."""
        if self.backend is None:
            return None
        if files is None:
            files, _ = QFileDialog.getOpenFileNames(
                self, "Import CSV", "", "CSV files (*.csv *.txt);;All files (*)"
            )
            if not files:
                return None
        dialog = CsvImportDialog(list(files), self.reads, self.tree_model.labels(), self)
        dialog.accepted.connect(lambda: self.start_csv_import(dialog.spec()))
        self._open_dialog(dialog)
        return dialog

    def start_csv_import(self, spec) -> Optional[Job]:
        """Run a CSV import described by ``spec``."""
        if self.backend is None:
            return None
        return self.run_operation(csv_import_job(self.backend, spec), "Importing CSV")

    # -- download -----------------------------------------------------------------------------

    def download_selected(self, directory: Optional[str] = None) -> Optional[Job]:
        """Download the selected samples (asks for a folder when ``directory`` is ``None``)."""
        if self.backend is None:
            return None
        ids = self.table.selected_ids()
        if not len(ids):
            self.statusBar().showMessage("Select the samples to download first.", 5000)
            return None
        if directory is None:
            directory = QFileDialog.getExistingDirectory(self, f"Download {len(ids):,} samples to")
            if not directory:
                return None
        ids_list = ids.tolist()
        return self.run_operation(
            download_job(self.backend, ids_list, directory, self.table_model.names(ids_list)),
            "Downloading",
        )

    # -- delete -------------------------------------------------------------------------------

    def delete_selected(self) -> Optional[ConfirmDialog]:
        """Ask, then delete the selected samples."""
        if self.backend is None:
            return None
        ids = self.table.selected_ids().tolist()
        if not ids:
            return None
        if len(ids) == 1:
            name = self.table_model.names(ids).get(ids[0], f"sample {ids[0]}")
            text = f"Delete <b>{name}</b>? This cannot be undone."
            action = "Delete"
        else:
            text = f"Delete the <b>{len(ids):,}</b> selected samples? This cannot be undone."
            action = f"Delete {len(ids):,} samples"
        dialog = ConfirmDialog("Delete samples", text, action, self)
        dialog.accepted.connect(lambda: self.start_delete(ids))
        self._open_dialog(dialog)
        return dialog

    def start_delete(self, ids: Sequence[int]) -> Optional[Job]:
        """Delete ``ids`` (no confirmation)."""
        if self.backend is None:
            return None
        ids = [int(i) for i in ids]
        names = self.table_model.names(ids)
        self.table_model.forget(ids)
        return self.run_operation(
            delete_job(self.backend, ids, names), "Deleting", results="problems"
        )

    def delete_category(self) -> Optional[TypedConfirmDialog]:
        """Ask (the user types the category's name), then delete every sample of the
        category selected in the filter.
        """
        category = self.filter_bar.category()
        if self.backend is None or category is None:
            return None
        count = sum(n for (cat, _), n in self.tree_model.counts.items() if cat == category)
        dialog = TypedConfirmDialog(
            "Delete a whole category",
            f"Delete <b>all {count:,} samples</b> in <b>{fmt.category_name(category)}</b>? "
            "This cannot be undone.",
            f"Delete all in {fmt.category_name(category)}",
            category,
            self,
        )
        dialog.accepted.connect(lambda: self.start_delete_category(category))
        self._open_dialog(dialog)
        return dialog

    def start_delete_category(self, category: str) -> Optional[Job]:
        """Delete every sample of ``category`` (no confirmation)."""
        if self.backend is None:
            return None
        return self.run_operation(
            delete_category_job(self.backend, category), "Deleting", results="problems"
        )

    # -- help ---------------------------------------------------------------------------------

    def show_about(self) -> AboutDialog:
        """Show the About dialog."""
        dialog = AboutDialog(self)
        self._open_dialog(dialog)
        return dialog

    # == drag and drop ========================================================================

    @staticmethod
    def _dropped_paths(event) -> list[str]:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return []
        return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: D102
        if self.backend is not None and self._dropped_paths(event):
            event.acceptProposedAction()
            where = self.spec.title() if self.spec else "the project"
            self.drop_overlay.show_for(f"Drop to upload to {where}")
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: D102
        if self.backend is not None and self._dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: D102
        self.drop_overlay.hide()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: D102
        self.drop_overlay.hide()
        paths = self._dropped_paths(event)
        if self.backend is None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        # open the dialog after the drop returns: the drag source must not wait on a dialog
        QTimer.singleShot(0, lambda: self.ask_upload(paths))

    # == shutdown =============================================================================

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102
        self._closing = True
        self.save_layout()
        running = [job for job in self.jobs.running() if not job.is_finished()]
        if running:
            self.statusBar().showMessage("Stopping running operations…")
        self.jobs.wait_all(timeout_s=30, cancel=True)
        self.reads.wait_all(timeout_s=30, cancel=True)
        event.accept()

    def select_ids(self, ids, current: Optional[int] = None) -> None:
        """Select the rows of ``ids`` (tests, and after an upload)."""
        self.table.select_ids(ids, current=current)
        if current is not None:
            index = self.table.index_for_id(current)
            if index.isValid():
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.NoUpdate
                )
