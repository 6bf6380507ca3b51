"""The dataset curation panels of the main window kept in step with its project: the summary
bar above the filter bar, the metadata editor beside the sample details, the metadata
filter's button and choices, and the "Rebalance…" action.

The window builds the summary bar and the metadata filter with its other widgets (the browse
controller composes the listing's query from the filter bar and the metadata filter);
:func:`install` adds the rest to the built :class:`~ei_desktop.gui.main_window.MainWindow`,
which tells the panels of each project it opens (:meth:`CurationPanels.backend_changed`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QToolButton, QWidget

from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.dialogs.rebalance import RebalanceDialog
from ei_desktop.gui.jobs.rebalance import metadata_values_job
from ei_desktop.gui.widgets.metadata_editor import MetadataEditor
from ei_desktop.gui.widgets.metadata_filter import MetadataFilterBar
from ei_desktop.gui.widgets.preview_fallback import FallbackPreview
from ei_desktop.gui.widgets.summary_bar import SummaryBar
from ei_desktop.gui.window_actions import menu_showing

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow

#: the editor follows the table's selection once it has settled this long
SELECTION_DELAY_MS = 80


class CurationPanels(QObject):
    """Keeps the panels in step with the window: its project, its selection, its changes.

    Attributes:
        summary_bar: the window's summary above the filter bar.
        metadata_editor: the metadata of the selected samples, editable.
        metadata_filter: the window's metadata conditions of the listing.
        metadata_filter_toggle: the filter bar's button showing the metadata filter.
        rebalance_action: the "Rebalance…" action of the Edit menu.
        rebalance_dialog: the Rebalance dialog last opened, if any.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.summary_bar: SummaryBar = window.summary_bar
        self.metadata_filter: MetadataFilterBar = window.metadata_filter
        self.metadata_filter_toggle = _metadata_filter_toggle(window)
        self.metadata_editor, self._editor_shown = _metadata_editor(window)
        self.rebalance_action = _rebalance_action(window)
        self.rebalance_dialog: Optional[RebalanceDialog] = None
        self._choices = window.reads.slot(self)
        self._choices.finished.connect(self._choices_loaded)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_DELAY_MS)
        self._selection_timer.timeout.connect(self.follow_selection)

        self.summary_bar.rebalanceRequested.connect(self.open_rebalance)
        self.metadata_editor.changed.connect(self.project_changed)
        self.rebalance_action.triggered.connect(lambda _checked=False: self.open_rebalance())
        model = window.table_model
        model.listingStarted.connect(self.listing_started)
        model.listingStarted.connect(self.update_action)
        model.listingFinished.connect(self.schedule_selection)
        model.modelReset.connect(self.schedule_selection)
        window.table.selectionModel().selectionChanged.connect(self.schedule_selection)

    # -- the project --------------------------------------------------------------------------

    def backend_changed(self) -> None:
        """The window opened another project (or the same one again): read it."""
        self.refresh()
        self.follow_selection()

    def listing_started(self) -> None:
        """A listing started: a refresh after a change reads the summary again."""
        if self.window.table_model.refreshing:
            self.refresh()

    def refresh(self) -> None:
        """Read the summary and the metadata choices again."""
        backend = self.window.backend
        self.summary_bar.refresh(backend)
        if backend is None:
            self._choices.cancel()
            self.metadata_filter.set_choices({})
        else:
            self._choices.start(metadata_values_job(backend), name="metadata choices")

    @while_alive
    def _choices_loaded(self, values: dict[str, list[str]]) -> None:
        self.metadata_filter.set_choices(values)

    def project_changed(self, *_args) -> None:
        """Something changed the project: list it again (summary, counts, metadata)."""
        self.window.browse.refresh()

    # -- the selection ------------------------------------------------------------------------

    def schedule_selection(self, *_args) -> None:
        """Follow the table's selection once it settles."""
        self._selection_timer.start()

    def follow_selection(self) -> None:
        """Show the metadata of the selected samples in the editor."""
        editor = self.metadata_editor
        backend = self.window.backend
        ids = self.window.table.selected_ids().tolist() if backend is not None else []
        if backend is editor.backend and tuple(ids) == editor.ids:
            editor.reload()  # the same samples may have changed
        else:
            editor.set_selection(backend, ids)
        self._editor_shown.setVisible(bool(ids))

    # -- rebalancing --------------------------------------------------------------------------

    def open_rebalance(self) -> Optional[RebalanceDialog]:
        """Open the Rebalance dialog for the open project."""
        backend = self.window.backend
        if backend is None:
            return None
        dialog = RebalanceDialog(backend, self.window, runner=self.window.jobs)
        dialog.applied.connect(self._rebalanced)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.rebalance_dialog = dialog
        return dialog

    @while_alive
    def _rebalanced(self, report) -> None:
        self.window.statusBar().showMessage(report.message, 8000)
        if report.changed:
            self.project_changed()

    def update_action(self) -> None:
        """Enable "Rebalance…" when a project is open."""
        self.rebalance_action.setEnabled(self.window.backend is not None)


def _metadata_filter_toggle(window: MainWindow) -> QToolButton:
    """The button in the filter bar's row showing the window's metadata conditions (shown
    anyway while it has some).
    """
    metadata_filter, filter_bar = window.metadata_filter, window.filter_bar
    metadata_filter.hide()
    toggle = QToolButton(filter_bar)
    toggle.setText("Metadata")
    toggle.setCheckable(True)
    toggle.setAutoRaise(True)
    toggle.setToolTip("Filter by metadata (key = value, key ≠ value)")
    toggle.setAccessibleName("Show the metadata filter")
    filter_bar.layout().addWidget(toggle)
    toggle.toggled.connect(
        lambda on: metadata_filter.setVisible(on or bool(metadata_filter.filters()))
    )
    metadata_filter.changed.connect(
        lambda: metadata_filter.setVisible(toggle.isChecked() or bool(metadata_filter.filters()))
    )
    return toggle


def _metadata_editor(window: MainWindow) -> tuple[MetadataEditor, QWidget]:
    """The metadata editor under the preview's details (the details leave metadata to it),
    or in a dock when the preview stands in for missing widgets; and what to show or hide to
    show or hide it. Hidden until samples are selected.
    """
    preview = window.preview
    if isinstance(preview, FallbackPreview):
        dock = QDockWidget("Metadata", window)
        dock.setObjectName("metadata-dock")
        editor = MetadataEditor(window.jobs, dock)
        dock.setWidget(editor)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        editor.hide()
        return editor, dock
    splitter = preview.splitter
    editor = MetadataEditor(window.jobs, splitter)
    splitter.addWidget(editor)
    splitter.setCollapsible(splitter.indexOf(editor), False)
    sizes = splitter.sizes()
    if len(sizes) >= 3:
        splitter.setSizes(sizes[:-1] + [max(160, sizes[-2] // 2)])
    editor.hide()
    preview.details.set_metadata_shown(False)  # the editor shows the metadata
    return editor, editor


def _rebalance_action(window: MainWindow) -> QAction:
    """The "Rebalance dataset…" action, at the end of the Edit menu (the one with Undo)."""
    action = QAction("Re&balance dataset…", window)
    action.setStatusTip("Divide the samples between training, testing and validation again")
    menu = menu_showing(window, window.menu_actions.undo)
    menu.addSeparator()
    menu.addAction(action)
    return action


def install(window: MainWindow) -> CurationPanels:
    """Add the curation panels to ``window`` and read the project it shows, if any."""
    panels = CurationPanels(window)
    panels.backend_changed()
    panels.update_action()
    return panels
