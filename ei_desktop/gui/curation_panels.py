"""The dataset curation panels in the main window: the summary bar above the table, the
metadata editor beside the sample details, the metadata filter under the filter bar and the
"Rebalance…" action, kept in step with the project.

:func:`install` adds them to a built window through its public attributes only. What a
window lacks is skipped (and listed in :attr:`CurationPanels.missing`), so a window that grows
or loses a part still opens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Optional

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QSplitter,
    QToolButton,
    QWidget,
)

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.dialogs.rebalance import RebalanceDialog
from ei_desktop.gui.jobs.rebalance import metadata_values_job
from ei_desktop.gui.jobs.runner import JobRunner
from ei_desktop.gui.widgets.metadata_editor import MetadataEditor
from ei_desktop.gui.widgets.metadata_filter import MetadataFilterBar
from ei_desktop.gui.widgets.summary_bar import SummaryBar

log = logging.getLogger(__name__)

#: the editor follows the table's selection once it has settled this long
SELECTION_DELAY_MS = 80


@dataclass
class CurationPanels:
    """What :func:`install` added to a window (``None`` for what it could not add).

    Attributes:
        summary_bar: the summary above the table.
        metadata_editor: the metadata of the selected samples, editable.
        metadata_filter: the metadata conditions of the listing.
        metadata_filter_toggle: the filter bar's button showing the metadata filter.
        rebalance_action: the "Rebalance…" action of the Edit menu.
        missing: the window attributes that were missing, and what could not be added.
    """

    summary_bar: Optional[SummaryBar] = None
    metadata_editor: Optional[MetadataEditor] = None
    metadata_filter: Optional[MetadataFilterBar] = None
    metadata_filter_toggle: Optional[QToolButton] = None
    rebalance_action: Optional[QAction] = None
    rebalance_dialog: Optional[RebalanceDialog] = None
    missing: list[str] = field(default_factory=list)
    controller: Optional[QObject] = None


def _has(window: Any, *names: str, missing: list[str]) -> bool:
    absent = [name for name in names if getattr(window, name, None) is None]
    missing.extend(name for name in absent if name not in missing)
    return not absent


def _reads(window: Any) -> JobRunner:
    runner = getattr(window, "reads", None)
    return runner if isinstance(runner, JobRunner) else _own_runner(window)


def _writes(window: Any) -> JobRunner:
    runner = getattr(window, "jobs", None)
    return runner if isinstance(runner, JobRunner) else _own_runner(window)


def _own_runner(window: Any) -> JobRunner:
    runner = getattr(window, "_curation_runner", None)
    if runner is None:
        runner = JobRunner(max_threads=2, parent=window)
        window._curation_runner = runner
    return runner


class _Controller(QObject):
    """Keeps the panels in step with the window: its project, its selection, its changes."""

    def __init__(self, window: Any, panels: CurationPanels) -> None:
        super().__init__(window)
        self.window = window
        self.panels = panels
        self._backend = getattr(window, "backend", None)
        self._spec = getattr(window, "spec", None)
        self._choices = _reads(window).slot(self)
        self._choices.finished.connect(self._choices_loaded)
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(SELECTION_DELAY_MS)
        self._selection_timer.timeout.connect(self.follow_selection)

    # -- the project --------------------------------------------------------------------------

    def backend_seen(self) -> None:
        """Notice a new project: forget its metadata conditions, read it again."""
        window = self.window
        backend = getattr(window, "backend", None)
        if backend is self._backend:
            return
        spec = getattr(window, "spec", None)
        self._backend = backend
        if spec != self._spec and self.panels.metadata_filter is not None:
            # another project starts unfiltered, as the filter bar does
            self.panels.metadata_filter.clear(emit=False)
        self._spec = spec
        self.refresh()
        self.follow_selection()

    def listing_started(self) -> None:
        """A listing started: a new project or a refresh after a change reads the summary."""
        model = getattr(self.window, "table_model", None)
        if getattr(self.window, "backend", None) is not self._backend:
            self.backend_seen()
        elif model is not None and model.refreshing:
            self.refresh()

    def refresh(self) -> None:
        """Read the summary and the metadata choices again."""
        backend = getattr(self.window, "backend", None)
        if self.panels.summary_bar is not None:
            self.panels.summary_bar.refresh(backend)
        if self.panels.metadata_filter is not None:
            if backend is None:
                self._choices.cancel()
                self.panels.metadata_filter.set_choices({})
            else:
                self._choices.start(metadata_values_job(backend), name="metadata choices")

    @while_alive
    def _choices_loaded(self, values: dict[str, list[str]]) -> None:
        if self.panels.metadata_filter is not None:
            self.panels.metadata_filter.set_choices(values)

    def project_changed(self, *_args) -> None:
        """Something changed the project: list it again (summary, counts, metadata)."""
        browse = getattr(self.window, "browse", None)
        if browse is not None and hasattr(browse, "refresh"):
            browse.refresh()
        else:
            model = getattr(self.window, "table_model", None)
            if model is not None:
                model.refresh()
            self.refresh()

    # -- the selection ------------------------------------------------------------------------

    def schedule_selection(self, *_args) -> None:
        """Follow the table's selection once it settles."""
        self._selection_timer.start()

    def follow_selection(self) -> None:
        """Show the metadata of the selected samples in the editor."""
        editor = self.panels.metadata_editor
        table = getattr(self.window, "table", None)
        if editor is None or table is None:
            return
        backend = getattr(self.window, "backend", None)
        ids = table.selected_ids().tolist() if backend is not None else []
        if backend is editor.backend and tuple(ids) == editor.ids:
            editor.reload()  # the same samples may have changed
        else:
            editor.set_selection(backend, ids)
        holder = editor.parentWidget()
        if isinstance(holder, QDockWidget):
            holder.setVisible(bool(ids))
        else:
            editor.setVisible(bool(ids))

    # -- the query ----------------------------------------------------------------------------

    def filter_changed(self) -> None:
        """List the samples again with the new metadata conditions."""
        browse = getattr(self.window, "browse", None)
        if browse is not None and hasattr(browse, "apply_query"):
            browse.apply_query()
        elif getattr(self.window, "table_model", None) is not None:
            self.window.table_model.set_query(self.window.current_query())

    # -- rebalancing --------------------------------------------------------------------------

    def open_rebalance(self) -> Optional[RebalanceDialog]:
        """Open the Rebalance dialog for the open project."""
        backend = getattr(self.window, "backend", None)
        if backend is None:
            return None
        dialog = RebalanceDialog(backend, self.window, runner=_writes(self.window))
        dialog.applied.connect(self._rebalanced)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.panels.rebalance_dialog = dialog
        return dialog

    @while_alive
    def _rebalanced(self, report) -> None:
        status = getattr(self.window, "statusBar", None)
        if callable(status):
            status().showMessage(report.message, 8000)
        if report.changed:
            self.project_changed()

    def update_action(self) -> None:
        """Enable "Rebalance…" when a project is open."""
        if self.panels.rebalance_action is not None:
            self.panels.rebalance_action.setEnabled(
                getattr(self.window, "backend", None) is not None
            )


def _add_summary_bar(window: Any, panels: CurationPanels) -> None:
    anchor = getattr(window, "filter_bar", None) or getattr(window, "stack", None)
    layout = anchor.parentWidget().layout() if anchor is not None else None
    if layout is None or layout.indexOf(anchor) < 0:
        panels.missing.append("a layout holding filter_bar or stack (summary bar)")
        return
    bar = SummaryBar(_reads(window), anchor.parentWidget())
    layout.insertWidget(layout.indexOf(anchor), bar)
    panels.summary_bar = bar


def _add_metadata_filter(window: Any, panels: CurationPanels, controller: _Controller) -> None:
    filter_bar = getattr(window, "filter_bar", None)
    layout = filter_bar.parentWidget().layout() if filter_bar is not None else None
    if layout is None or layout.indexOf(filter_bar) < 0:
        panels.missing.append("filter_bar in a layout (metadata filter)")
        return
    metadata_filter = MetadataFilterBar(filter_bar.parentWidget())
    layout.insertWidget(layout.indexOf(filter_bar) + 1, metadata_filter)
    metadata_filter.hide()
    panels.metadata_filter = metadata_filter
    # a button in the filter bar's row shows the metadata conditions
    toggle = QToolButton(filter_bar)
    toggle.setText("Metadata")
    toggle.setCheckable(True)
    toggle.setAutoRaise(True)
    toggle.setToolTip("Filter by metadata (key = value, key ≠ value)")
    toggle.setAccessibleName("Show the metadata filter")
    row = filter_bar.layout()
    if row is not None:
        row.addWidget(toggle)
    toggle.toggled.connect(
        lambda on: metadata_filter.setVisible(on or bool(metadata_filter.filters()))
    )
    metadata_filter.changed.connect(
        lambda: metadata_filter.setVisible(toggle.isChecked() or bool(metadata_filter.filters()))
    )
    panels.metadata_filter_toggle = toggle
    metadata_filter.changed.connect(controller.filter_changed)

    # the window's query gains the metadata conditions (and forgets them for a new project)
    plain_query = window.current_query

    def current_query() -> SampleQuery:
        controller.backend_seen()
        return metadata_filter.apply_to(plain_query())

    window.current_query = current_query


def _add_metadata_editor(window: Any, panels: CurationPanels) -> None:
    preview = getattr(window, "preview", None)
    splitter = getattr(preview, "splitter", None)
    if isinstance(splitter, QSplitter):
        editor = MetadataEditor(_writes(window), splitter)
        splitter.addWidget(editor)
        splitter.setCollapsible(splitter.indexOf(editor), False)
        sizes = splitter.sizes()
        if len(sizes) >= 3:
            splitter.setSizes(sizes[:-1] + [max(160, sizes[-2] // 2)])
    elif isinstance(window, QMainWindow):
        panels.missing.append("preview.splitter (the metadata editor is in a dock)")
        dock = QDockWidget("Metadata", window)
        dock.setObjectName("metadata-dock")
        editor = MetadataEditor(_writes(window), dock)
        dock.setWidget(editor)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    else:
        panels.missing.append("preview.splitter (metadata editor)")
        return
    editor.hide()
    panels.metadata_editor = editor
    details = getattr(preview, "details", None)
    if details is not None and hasattr(details, "set_metadata_shown"):
        details.set_metadata_shown(False)  # the editor shows the metadata


def _edit_menu(window: QMainWindow) -> QMenu:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and action.text().replace("&", "") == "Edit":
            return menu
    return window.menuBar().addMenu("&Edit")


def install(window: QWidget) -> CurationPanels:
    """Add the curation panels to ``window`` and keep them in step with it.

    Uses ``window.backend``, ``spec``, ``reads`` and ``jobs`` (job runners), ``table``
    (``selected_ids()``, its selection model), ``table_model`` (``listingStarted``,
    ``listingFinished``, ``refreshing``), ``filter_bar`` (in a layout), ``preview.splitter``,
    ``browse`` (``refresh()``, ``apply_query()``), ``current_query()``, the menu bar and the
    status bar. Returns what was added; :attr:`CurationPanels.missing` names what was not.
    """
    panels = CurationPanels()
    _has(window, "table", "table_model", "filter_bar", "preview", "browse", missing=panels.missing)
    for name in ("reads", "jobs"):
        if not isinstance(getattr(window, name, None), JobRunner):
            panels.missing.append(f"{name} (a JobRunner; the panels run their own)")
    controller = _Controller(window, panels)
    panels.controller = controller

    _add_summary_bar(window, panels)
    if panels.summary_bar is not None:
        panels.summary_bar.rebalanceRequested.connect(controller.open_rebalance)
    if getattr(window, "filter_bar", None) is not None and callable(
        getattr(window, "current_query", None)
    ):
        _add_metadata_filter(window, panels, controller)
    else:
        panels.missing.append("current_query (metadata filter)")
    _add_metadata_editor(window, panels)
    if panels.metadata_editor is not None:
        panels.metadata_editor.changed.connect(controller.project_changed)

    if isinstance(window, QMainWindow):
        action = QAction("Re&balance dataset…", window)
        action.setStatusTip("Divide the samples between training, testing and validation again")
        action.triggered.connect(lambda _checked=False: controller.open_rebalance())
        menu = _edit_menu(window)
        menu.addSeparator()
        menu.addAction(action)
        panels.rebalance_action = action
    else:
        panels.missing.append("a menu bar (Rebalance action)")

    model = getattr(window, "table_model", None)
    if model is not None:
        model.listingStarted.connect(controller.listing_started)
        model.listingStarted.connect(controller.update_action)
        model.listingFinished.connect(controller.schedule_selection)
        model.modelReset.connect(controller.schedule_selection)
    table = getattr(window, "table", None)
    if table is not None and table.selectionModel() is not None:
        table.selectionModel().selectionChanged.connect(controller.schedule_selection)

    # the window may already show a project
    controller._backend = object()  # force a first read
    controller._spec = getattr(window, "spec", None)
    controller.backend_seen()
    controller.update_action()
    if panels.missing:
        log.warning("Curation panels: the window lacks %s", ", ".join(panels.missing))
    return panels
