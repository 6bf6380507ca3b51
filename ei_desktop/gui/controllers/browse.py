"""Browsing: the filter bar and the category tree kept in step, the listing, the per-label
counts, and what the window says about them (status counts, empty state, enabled actions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSignalBlocker
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMenu

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.listing import label_counts_job
from ei_desktop.gui.jobs.runner import error_message
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.models import location
from ei_desktop.gui.models.category_tree import ALL
from ei_desktop.gui.widgets.empty_state import EMPTY_PROJECT, LOADING, NO_MATCH

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


#: the setting remembering "Show disabled"
SHOW_DISABLED_KEY = "view/show_disabled"


class BrowseController(QObject):
    """Keeps the tree, the filter bar, the table and the status bar telling the same story."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._counts = window.reads.slot(self)
        self._counts.finished.connect(self._counts_loaded)
        self._counts.failed.connect(self._counts_failed)
        model = window.table_model
        model.listingStarted.connect(self.update_status)
        model.listingFinished.connect(self._listing_finished)
        model.listingFailed.connect(
            lambda message: self._show_backend_error("Cannot list the samples", message)
        )
        model.rowsFailed.connect(
            lambda message: self._show_backend_error("Cannot load some rows", message)
        )
        # a reset clears the selection without selectionChanged: follow it by hand
        model.modelReset.connect(self._listing_reset)
        model.idsChanged.connect(self._selection_changed)
        model.rowsInserted.connect(self.update_status)
        window.filter_bar.set_show_disabled(
            _true(window.settings.qsettings.value(SHOW_DISABLED_KEY))
        )
        window.filter_bar.disabled_box.toggled.connect(
            lambda show: window.settings.qsettings.setValue(SHOW_DISABLED_KEY, bool(show))
        )
        window.filter_bar.changed.connect(self._filter_changed)
        window.metadata_filter.changed.connect(self.apply_query)
        window.tree.selectionModel().currentChanged.connect(self._tree_changed)
        window.table.selectionModel().selectionChanged.connect(self._selection_changed)

    # -- filtering ----------------------------------------------------------------------------

    def _filter_changed(self) -> None:
        window = self.window
        category, label = window.filter_bar.category(), window.filter_bar.label()
        index = window.tree_model.index_of((category, label))
        if not index.isValid():
            index = window.tree_model.index_of((category, None))
        if index.isValid() and index != window.tree.currentIndex():
            window.tree.selectionModel().blockSignals(True)
            window.tree.setCurrentIndex(index)
            window.tree.selectionModel().blockSignals(False)
            window.tree.viewport().update()
        self.apply_query()

    def _tree_changed(self, current, _previous=None) -> None:
        category, label = self.window.tree_model.key_of(current)
        self.window.filter_bar.set_category_label(category, label)
        self.apply_query()

    def current_query(self) -> SampleQuery:
        """The query the filter bar and the metadata filter describe, in the table's current
        sort order.
        """
        bar = self.window.filter_bar
        label = bar.label()
        current = self.window.table_model.query
        query = SampleQuery(
            category=bar.category(),
            labels=(label,) if label is not None else None,
            filename=bar.text(),
            sort=current.sort,
            descending=current.descending,
            include_disabled="both" if bar.show_disabled() else "enabled",
        )
        return self.window.metadata_filter.apply_to(query)

    def apply_query(self) -> None:
        """List the samples the filter bar and the metadata filter describe."""
        self.window.table_model.set_query(self.current_query())
        self.update_actions()

    def clear_filter(self) -> None:
        """Show every sample."""
        self.reset_filters()
        self.apply_query()

    def reset_filters(self) -> None:
        """Empty the filter bar and choose "All" in the tree, without listing anything."""
        window = self.window
        window.filter_bar.text_edit.clear()
        window.filter_bar.set_category_label(None, None)
        with QSignalBlocker(window.tree.selectionModel()):
            window.tree.setCurrentIndex(window.tree_model.index_of(ALL))
        window.tree.viewport().update()
        # the filter bar's pending "changed" would list the old project with the new query
        with QSignalBlocker(window.filter_bar):
            window.filter_bar.flush()

    def focus_filter(self) -> None:
        """Put the cursor in the name filter."""
        self.window.filter_bar.focus_text()

    def select_all(self) -> None:
        """Select every listed sample (instant: nothing is fetched)."""
        self.window.table.setFocus()
        self.window.table.selectAll()

    # -- reading the project ------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the project again, keeping the selection and the scroll position."""
        window = self.window
        if window.backend is None:
            if window.spec is not None:
                window.connection.open_connection(window.spec)
            return
        window.message_bar.hide()
        window.table_model.refresh()
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Read the per-label counts again (tree, label filter, empty state)."""
        if self.window.backend is not None:
            self._counts.start(label_counts_job(self.window.backend), name="label counts")

    def stop(self) -> None:
        """Drop the counts being read (the backend changed)."""
        self._counts.cancel()

    @while_alive
    def _counts_loaded(self, loaded) -> None:
        window = self.window
        if window.spec is not None:
            window.set_connection_state(location.connected_state(window.spec))
        counts, totals = loaded
        window.tree_model.set_counts(counts, totals)
        window.tree.expand(window.tree_model.index_of(ALL))
        window.filter_bar.set_labels(window.tree_model.labels())
        window.table.set_label_choices(window.tree_model.labels())
        self.update_empty_state()
        self.update_status()

    @while_alive
    def _counts_failed(self, error: BaseException) -> None:
        self._show_backend_error("Cannot read the sample counts", error_message(error))

    def _listing_reset(self) -> None:
        if not self.window.table_model.refreshing:
            # a new filter, sort or project: show its first rows
            self.window.table.scrollToTop()
        self._selection_changed()

    def _listing_finished(self) -> None:
        self.update_empty_state()
        self._selection_changed()
        self.window.previews.schedule()

    def _show_backend_error(self, what: str, message: str) -> None:
        self.window.message_bar.show_message(f"{what}: {message}", "error", ("Retry", self.refresh))
        spec = self.window.spec
        if spec is not None and spec.is_remote:
            self.window.set_connection_state(f"Cannot reach {location.host_of(spec)}")
        self.update_empty_state()

    # -- what the window shows ----------------------------------------------------------------

    def show_opening(self) -> None:
        """Show that a project is being opened (when none is open yet)."""
        if self.window.backend is None:
            self.window.empty_state.set_mode(LOADING)
            self.window.stack.setCurrentWidget(self.window.empty_state)

    def update_empty_state(self) -> None:
        """Show the table, or say why it is empty (no project, empty project, no match)."""
        window = self.window
        model = window.table_model
        if model.rowCount() > 0:
            window.stack.setCurrentWidget(window.table)
            return
        if window.backend is None or model.loading:
            nothing_tried = window.spec is None and not window.message_bar.isVisible()
            if window.backend is None and nothing_tried:
                window.empty_state.set_mode(LOADING)
            elif window.backend is None:
                window.empty_state.set_mode(EMPTY_PROJECT)
            else:
                # keep what is shown while a listing runs
                return
            window.stack.setCurrentWidget(window.empty_state)
            return
        if window.tree_model.total() == 0 and not self._query_filters():
            window.empty_state.set_mode(EMPTY_PROJECT)
        else:
            window.empty_state.set_mode(NO_MATCH)
        window.stack.setCurrentWidget(window.empty_state)

    def _query_filters(self) -> bool:
        query = self.window.table_model.query
        return bool(query.category or query.labels or query.filename)

    def _selection_changed(self, *_args) -> None:
        self.update_status()
        self.update_actions()

    def update_status(self) -> None:
        """Show the counts in the status bar ("12 of 30 samples · 3 selected")."""
        window = self.window
        model = window.table_model
        listed = model.rowCount()
        total = window.tree_model.total()
        if window.backend is None:
            text = ""
        elif model.loading and listed == 0:
            text = "Loading…"
        else:
            noun = "sample" if listed == 1 else "samples"
            text = f"{fmt.count(listed)} {noun}"
            if self._query_filters() and total and total != listed:
                text = f"{fmt.count(listed)} of {fmt.count(total)} samples"
            if model.loading:
                text += " (loading…)"
        selected = window.table.selected_count()
        if selected:
            text += f" · {fmt.count(selected)} selected"
        window.count_label.setText(text)

    def update_actions(self) -> None:
        """Enable what makes sense for the project, the selection and the filter."""
        window = self.window
        actions = window.menu_actions
        connected = window.backend is not None
        selected = window.table.selected_count() if connected else 0
        for action in (
            actions.upload_files,
            actions.upload_folder,
            actions.import_csv,
            actions.refresh,
        ):
            action.setEnabled(connected)
        actions.download.setEnabled(selected > 0)
        actions.delete.setEnabled(selected > 0)
        category = window.filter_bar.category()
        actions.delete_category.setEnabled(connected and category is not None)
        actions.delete_category.setText(
            f"Delete all in {fmt.category_name(category)}…"
            if category
            else "Delete all in category…"
        )
        spec = window.spec
        actions.reveal.setEnabled(spec is not None and spec.kind == "local")
        actions.forget_key.setEnabled(spec is not None and spec.is_remote)
        curation = getattr(window, "curation", None)
        if curation is not None:
            curation.update_actions()

    # -- the table's context menu -------------------------------------------------------------

    def show_table_menu(self, position) -> QMenu:
        """Show the context menu of the table at ``position`` (viewport coordinates);
        returns it.
        """
        window = self.window
        menu = QMenu(window)
        window.curation.add_to_table_menu(menu)
        menu.addSeparator()
        menu.addAction(window.menu_actions.download)
        menu.addAction(window.menu_actions.delete)
        menu.addSeparator()
        copy_ids = menu.addAction("Copy IDs")
        copy_ids.setEnabled(window.table.selected_count() > 0)
        copy_ids.triggered.connect(self.copy_selected_ids)
        menu.addAction(window.menu_actions.select_all)
        menu.popup(window.table.viewport().mapToGlobal(position))
        return menu

    def copy_selected_ids(self) -> None:
        """Put the selected ids on the clipboard, one per line."""
        ids = self.window.table.selected_ids()
        QGuiApplication.clipboard().setText("\n".join(str(i) for i in ids.tolist()))


def _true(value) -> bool:
    """A boolean setting as read back from the INI file ("true", "false", or nothing)."""
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)
