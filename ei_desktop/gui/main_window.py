"""The main window: category tree, filter bar, sample table and preview, wired to the
controllers that carry out every operation.

The window builds the widgets and keeps the shared state (the backend, the connection); the
browse controller composes the listing's query from the filter bar and the metadata filter.
Each flow (opening a project, browsing, previews, uploads, CSV import, downloads, deletes,
curation and its history, drag and drop) lives in its controller under ``gui/controllers``.
Nothing touches a file or a backend on the UI thread: every such call runs as a job.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from PySide6.QtCore import QByteArray, QItemSelectionModel, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.backends.base import Backend
from ei_desktop.gui import curation_panels, icons
from ei_desktop.gui.connections import ConnectionSpec
from ei_desktop.gui.controllers import (
    BrowseController,
    ConnectionController,
    CsvImportController,
    CurationController,
    DeleteController,
    DownloadController,
    DropController,
    OperationRunner,
    PreviewController,
    UploadController,
)
from ei_desktop.gui.controllers import box_editing as box_editing_controller
from ei_desktop.gui.controllers import export as export_controller
from ei_desktop.gui.controllers import segments as segments_controller
from ei_desktop.gui.controllers import sync as sync_controller
from ei_desktop.gui.controllers.cutting import CuttingController
from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.controllers.preview import NOTHING_SELECTED
from ei_desktop.gui.credentials import CredentialStore
from ei_desktop.gui.dialogs.about import AboutDialog
from ei_desktop.gui.jobs.runner import JobRunner
from ei_desktop.gui.models import location
from ei_desktop.gui.models.category_tree import ALL, CategoryTreeModel
from ei_desktop.gui.models.location import Location
from ei_desktop.gui.models.sample_table import SampleTableModel
from ei_desktop.gui.settings import Settings
from ei_desktop.gui.widgets.drop_overlay import DropOverlay
from ei_desktop.gui.widgets.empty_state import EmptyState
from ei_desktop.gui.widgets.filter_bar import FilterBar
from ei_desktop.gui.widgets.history import HistoryPanel
from ei_desktop.gui.widgets.message_bar import MessageBar
from ei_desktop.gui.widgets.metadata_filter import MetadataFilterBar
from ei_desktop.gui.widgets.preview_fallback import create_preview_panel
from ei_desktop.gui.widgets.sample_table import SampleTableView
from ei_desktop.gui.widgets.summary_bar import SummaryBar
from ei_desktop.gui.window_actions import WindowActions
from ei_desktop.ops.report import Report


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
        #: the open project or server (``None`` until one answered)
        self.backend: Optional[Backend] = None
        #: how :attr:`backend` was opened
        self.spec: Optional[ConnectionSpec] = None
        #: set once the window is closing: no more dialogs
        self.closing = False
        # operations and reads get separate pools: a long upload never delays the table
        self.jobs = JobRunner(max_threads=2, parent=self)
        self.reads = JobRunner(max_threads=2, parent=self)

        self.setWindowTitle("ei-desktop")
        self.setWindowIcon(icons.app_icon())
        self.table_model = SampleTableModel(self.reads, self)
        self.tree_model = CategoryTreeModel(self)
        self._build_widgets()
        self.menu_actions = WindowActions.create(self)
        self.recent_menu, view_menu = self.menu_actions.build_menus(self)
        self.toolbar = self.menu_actions.build_toolbar(self, view_menu)
        self._build_history_dock(view_menu)
        self._build_status_bar()

        self.operations = OperationRunner(self)
        self.connection = ConnectionController(self)
        self.browse = BrowseController(self)
        self.previews = PreviewController(self)
        self.uploads = UploadController(self)
        self.csv_import = CsvImportController(self)
        self.downloads = DownloadController(self)
        self.deletes = DeleteController(self)
        self.curation = CurationController(self)
        self.drops = DropController(self)
        self.cutting = CuttingController(self)
        self._wire()

        #: the summary bar, the metadata editor, the metadata filter's toggle and "Rebalance…"
        self.panels = curation_panels.install(self)
        #: the File menu's "Export dataset…" (COCO, YOLO, Pascal VOC, Edge Impulse)
        self.exports = export_controller.install(self)
        #: the preview's "Edit boxes" mode (B): bounding boxes edited on the image
        self.box_editing = box_editing_controller.install(self)
        #: the Edit menu's "Label segments…" (L): structured labels edited on the plot
        self.segments = segments_controller.install(self)
        #: the Project menu's "Sync with Edge Impulse…" and the status bar's sync count
        self.sync = sync_controller.install(self)

        self._restore_layout()
        self.browse.update_actions()
        self.browse.update_empty_state()

    # == construction =========================================================================

    def _build_widgets(self) -> None:
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setHeaderHidden(False)
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setAccessibleName("Categories and labels")
        # sample rows dropped on a category move there, on a label get it too
        self.tree.setAcceptDrops(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.tree.setDragDropOverwriteMode(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("0,000,000") + 16)
        # a label stays readable next to its count when docks take the window's width
        self.tree.setMinimumWidth(self.fontMetrics().horizontalAdvance("0") * 22)
        self.tree.expand(self.tree_model.index_of(ALL))
        self.tree.setCurrentIndex(self.tree_model.index_of(ALL))

        self.filter_bar = FilterBar(self)
        self.summary_bar = SummaryBar(self.reads, self)
        self.metadata_filter = MetadataFilterBar(self)
        self.message_bar = MessageBar(self)
        self.table = SampleTableView(self.table_model, self)
        self.table.setAccessibleName("Samples")
        self.filter_bar.set_results_view(self.table)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty_state = EmptyState(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)

        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(6, 6, 6, 0)
        center_layout.setSpacing(6)
        center_layout.addWidget(self.message_bar)
        center_layout.addWidget(self.summary_bar)
        center_layout.addWidget(self.filter_bar)
        center_layout.addWidget(self.metadata_filter)
        center_layout.addWidget(self.stack, 1)

        self.preview = create_preview_panel(self)
        self.preview.setMinimumWidth(280)
        self.preview.show_empty(text=NOTHING_SELECTED)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.preview)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([220, 740, 400])
        self.setCentralWidget(self.splitter)
        self.drop_overlay = DropOverlay(self.splitter)

    def _build_history_dock(self, view_menu) -> None:
        self.history_panel = HistoryPanel(self)
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("history-dock")
        self.history_dock.setWidget(self.history_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.history_dock.hide()
        toggle = self.history_dock.toggleViewAction()
        toggle.setText("&History")
        toggle.setShortcut("Ctrl+H")
        view_menu.addAction(toggle)

    def _wire(self) -> None:
        actions = self.menu_actions
        for action, slot in (
            (actions.upload_files, self.uploads.upload_files),
            (actions.upload_folder, self.uploads.upload_folder),
            (actions.import_csv, self.csv_import.import_csv),
            (actions.download, self.downloads.download_selected),
            (actions.delete, self.deletes.delete_selected),
            (actions.delete_category, self.deletes.delete_category),
            (actions.select_all, self.browse.select_all),
            (actions.find, self.browse.focus_filter),
            (actions.refresh, self.browse.refresh),
            (actions.connect, self.connection.show_connection_dialog),
            (actions.open_default, self.connection.open_default_project),
            (actions.reveal, self.connection.reveal_project_folder),
            (actions.forget_key, self.connection.forget_key),
            (actions.quit, self.close),
            (actions.about, self.show_about),
            (actions.about_qt, QApplication.aboutQt),
            (actions.undo, self.curation.undo),
            (actions.redo, self.curation.redo),
            (actions.set_label, self.curation.set_label_selected),
            (actions.rename, self.curation.rename_selected),
            (actions.enable, lambda: self.curation.set_enabled(True)),
            (actions.disable, lambda: self.curation.set_enabled(False)),
        ):
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
        for category, action in actions.move_to.items():
            action.triggered.connect(
                lambda _checked=False, category=category: self.curation.move_selected(category)
            )
        self.tree.customContextMenuRequested.connect(self.curation.show_tree_menu)
        actions.show_tree.toggled.connect(self.tree.setVisible)
        actions.show_preview.toggled.connect(self.preview.setVisible)
        self.recent_menu.aboutToShow.connect(
            lambda: self.connection.fill_recent_menu(self.recent_menu)
        )
        self.table.customContextMenuRequested.connect(self.browse.show_table_menu)
        self.empty_state.uploadFiles.connect(lambda: self.uploads.upload_files())
        self.empty_state.uploadFolder.connect(lambda: self.uploads.upload_folder())
        self.empty_state.importCsv.connect(lambda: self.csv_import.import_csv())
        self.empty_state.clearFilter.connect(self.browse.clear_filter)
        self.operations.finished.connect(self._operation_finished)
        self.operations.failed.connect(lambda _error: self.browse.refresh())

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel(self)
        self.location_icon = QLabel(self)
        self.connection_label = QLabel(self)
        self.connection_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connection_label.setAccessibleName("Where the samples come from")
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.location_icon)
        status.addPermanentWidget(self.connection_label)
        #: what the title and the status bar say (``None``: nothing)
        self.location: Optional[Location] = None
        #: the place of :attr:`backend` (the request being opened may be another)
        self.open_location: Optional[Location] = None

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

    # == shared state =========================================================================

    def use_backend(
        self, backend: Backend, spec: ConnectionSpec, name: Optional[str] = None
    ) -> None:
        """Switch every view to ``backend``, opened as ``spec`` (``name``: the project's).

        Another project starts unfiltered: its names, labels and metadata are not the last one's.
        """
        if spec != self.spec:
            self.browse.reset_filters()
            self.metadata_filter.clear(emit=False)
        self.backend = backend
        self.spec = spec
        self.open_location = Location.of(spec, location.connected_state(spec), name)
        self.show_location(self.open_location)
        self.panels.backend_changed()
        self.table_model.set_backend(backend, self.browse.current_query())
        self.previews.clear()
        self.browse.refresh_counts()
        self.curation.backend_changed()
        self.browse.update_actions()

    def show_location(self, place: Optional[Location]) -> None:
        """Say in the title and the status bar where the samples come from: the kind of
        place (with its icon), the project's name and the connection state.
        """
        self.location = place
        if place is None:
            self.setWindowTitle("ei-desktop")
            self.location_icon.clear()
            self.connection_label.clear()
            self.connection_label.setToolTip("")
            return
        self.setWindowTitle(place.title())
        size = self.connection_label.fontMetrics().height()
        self.location_icon.setPixmap(icons.location_icon(place.spec.kind).pixmap(size, size))
        self.location_icon.setToolTip(place.kind)
        self.connection_label.setText(place.status())
        self.connection_label.setToolTip(place.details())

    def set_connection_state(self, state: str) -> None:
        """Change the connection state shown for the open place ("Cannot reach …")."""
        if self.open_location is not None and self.location == self.open_location:
            self.open_location = replace(self.open_location, state=state)
            self.show_location(self.open_location)

    def select_ids(self, ids, current: Optional[int] = None) -> None:
        """Select the rows of ``ids`` and make ``current`` the current row."""
        self.table.select_ids(ids, current=current)
        if current is not None:
            index = self.table.index_for_id(current)
            if index.isValid():
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.NoUpdate
                )

    def _operation_finished(self, report: Report) -> None:
        if report.changed or report.cancelled:
            self.browse.refresh()
        # uploads and deletes are steps of the history too
        self.curation.refresh_history()

    def show_about(self) -> AboutDialog:
        """Show the About dialog."""
        dialog = AboutDialog(self)
        open_dialog(dialog)
        return dialog

    # == shutdown =============================================================================

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102
        self.closing = True
        self.save_layout()
        # edits staged on the preview are kept, as when another sample is selected
        saving = [editor.save_pending() for editor in (self.box_editing, self.segments)]
        if any(saving):
            self.statusBar().showMessage("Saving your edits…")
            self.curation.wait_idle(timeout_s=30)
        if any(not job.is_finished() for job in self.jobs.running()):
            self.statusBar().showMessage("Stopping running operations…")
        self.jobs.wait_all(timeout_s=30, cancel=True)
        self.reads.wait_all(timeout_s=30, cancel=True)
        event.accept()
