"""*Project → Sync with Edge Impulse…* and the status bar's "N samples not yet on Edge
Impulse": linking a local project to its remote, comparing, pushing and pulling, all in jobs.

:func:`install` adds the action to the window's Project menu and the count to its status bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel

from ei_desktop.core import display
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.connections import LOCAL, ConnectionSpec
from ei_desktop.gui.controllers.connection import failure_message
from ei_desktop.gui.controllers.operation import open_dialog
from ei_desktop.gui.dialogs.sync import SyncDialog
from ei_desktop.gui.dialogs.sync_conflicts import ConflictRow
from ei_desktop.gui.jobs import sync as jobs
from ei_desktop.gui.jobs.runner import Job, error_message
from ei_desktop.gui.sync_links import SyncLink, SyncLinks
from ei_desktop.gui.window_actions import menu_showing
from ei_desktop.ops import sync_status

if TYPE_CHECKING:
    from ei_desktop.gui.main_window import MainWindow


class SyncController(QObject):
    """Links the open local project to a remote, shows the difference, pushes and pulls.

    Attributes:
        action: the Project menu's "Sync with Edge Impulse…" (enabled for local projects).
        status_label: the status bar's count of samples not yet on the remote (hidden for a
            project without a link).
        dialog: the sync dialog shown, if any.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.links = SyncLinks(window.settings, window.credentials)
        self.action = QAction("S&ync with Edge Impulse…", window)
        self.action.setObjectName("sync")
        self.action.setStatusTip(
            "Push this project's samples to its Edge Impulse project, or pull that one's here"
        )
        self.action.triggered.connect(lambda _checked=False: self.show_dialog())
        self.status_label = QLabel(window)
        self.status_label.setAccessibleName("Samples not yet on Edge Impulse")
        self.status_label.setContentsMargins(0, 0, 12, 0)  # apart from the sample count
        self.status_label.setToolTip(
            "Counted from what this project pushed and pulled, without asking the remote;"
            " Project → Sync with Edge Impulse… compares with the remote itself."
        )
        self.status_label.hide()
        self.dialog: Optional[SyncDialog] = None
        self._status = window.reads.slot(self)
        self._status.finished.connect(self._status_counted)
        self._status.failed.connect(lambda _error: self.status_label.hide())
        self._work = window.reads.slot(self)
        self._work.finished.connect(self._work_finished)
        self._work.failed.connect(self._work_failed)
        self._work_kind = ""
        #: the project a link being checked is for
        self._linking: Optional[int] = None
        window.connection.opened.connect(self.project_changed)
        window.operations.finished.connect(lambda _report: self.refresh_status())
        window.operations.failed.connect(lambda _error: self.refresh_status())
        self.project_changed()

    def _project_id(self) -> Optional[int]:
        """The open local project's id (an attribute of the open project: no I/O)."""
        window = self.window
        if window.backend is None or window.spec is None or window.spec.kind != LOCAL:
            return None
        return window.backend.project_id()

    def project_changed(self) -> None:
        """Enable the action for a local project and count what its remote lacks."""
        self.action.setEnabled(self._project_id() is not None)
        self.refresh_status()

    # == the status bar ========================================================================

    def refresh_status(self) -> Optional[Job]:
        """Count, offline and in a job, the samples the linked remote does not hold yet."""
        project_id = self._project_id()
        link = self.links.load(project_id) if project_id is not None else None
        if link is None:
            self._status.cancel()
            self.status_label.hide()
            return None
        return self._status.start(jobs.count_missing(self.window.backend, link), name="sync-status")

    @while_alive
    def _status_counted(self, missing: Optional[int]) -> None:
        if missing is None:
            return
        self.status_label.setText(sync_status.status_text(missing))
        self.status_label.show()

    # == the dialog ============================================================================

    def show_dialog(self) -> Optional[SyncDialog]:
        """Open the sync dialog of the local project (its link form if it has no link)."""
        project_id = self._project_id()
        if project_id is None:
            return None
        window = self.window
        link = self.links.load(project_id)
        name = window.backend.name or "This project"
        note = window.credentials.storage_description()
        dialog = SyncDialog(name, link, note, window)
        dialog.linkRequested.connect(lambda link, key: self._check_link(dialog, link, key))
        dialog.pushRequested.connect(lambda keep: self._push(dialog, keep))
        dialog.pullRequested.connect(lambda keep: self._pull(dialog, keep))
        dialog.deleteToggled.connect(lambda _on: self.compare())
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self.dialog = dialog
        open_dialog(dialog)
        if link is not None:
            self.compare()
        return dialog

    def _dialog_closed(self, dialog: SyncDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._work.cancel()

    def _dialog(self) -> Optional[SyncDialog]:
        dialog = self.dialog
        return dialog if dialog is not None and shiboken6.isValid(dialog) else None

    def _check_link(self, dialog: SyncDialog, link: SyncLink, key: str) -> None:
        project_id = self._project_id()
        if project_id is None:
            dialog.link_failed("Open a local project to link it.")
            return
        links = self.links
        self._work_kind = "link"
        self._linking = project_id
        self._work.start(
            jobs.check_link(link, key, lambda key: links.save_key(project_id, key)),
            name="sync-link",
        )

    def compare(self) -> Optional[Job]:
        """Compute, in a job, what a push would do; the dialog shows it."""
        dialog, project_id = self._dialog(), self._project_id()
        if dialog is None or project_id is None or dialog.link is None:
            return None
        dialog.show_comparing()
        links = self.links
        self._work_kind = "compare"
        return self._work.start(
            jobs.compare(
                self.window.backend,
                dialog.link,
                lambda: links.key(project_id),
                delete=dialog.delete_check.isChecked(),
            ),
            name="sync-compare",
        )

    @while_alive
    def _work_finished(self, result) -> None:
        dialog = self._dialog()
        if isinstance(result, jobs.LinkCheck):
            if self._linking is not None:
                self.links.save(self._linking, result.link)
            self.window.statusBar().showMessage(
                f"Linked to {result.link.where()} · {result.note}", 6000
            )
            self.refresh_status()
            if dialog is not None:
                dialog.show_linked(result.link)
                self.compare()
        elif isinstance(result, jobs.Comparison) and dialog is not None:
            counts, note = describe(result)
            dialog.show_difference(
                counts,
                note,
                conflict_rows(result),
                can_push=not result.push.empty,
                can_pull=not result.pull.empty,
            )

    @while_alive
    def _work_failed(self, error: BaseException) -> None:
        dialog = self._dialog()
        if dialog is None:
            return
        if self._work_kind == "link":
            dialog.link_failed(failure_message(_spec(*_endpoints(dialog)), error))
        else:
            dialog.comparison_failed(f"Cannot compare: {error_message(error)}")

    def _push(self, dialog: SyncDialog, keep: dict) -> Optional[Job]:
        return self._transfer(dialog, keep, jobs.push, "Pushing to Edge Impulse")

    def _pull(self, dialog: SyncDialog, keep: dict) -> Optional[Job]:
        return self._transfer(dialog, keep, jobs.pull, "Pulling from Edge Impulse")

    def _transfer(self, dialog: SyncDialog, keep: dict, job, title: str) -> Optional[Job]:
        """Close ``dialog`` and run ``job`` (:func:`jobs.push` or :func:`jobs.pull`) on the
        linked remote as the window's operation.
        """
        project_id = self._project_id()
        if project_id is None or dialog.link is None:
            return None
        links = self.links
        fn = job(
            self.window.backend,
            dialog.link,
            lambda: links.key(project_id),
            delete=dialog.delete_check.isChecked(),
            keep=keep,
        )
        dialog.accept()
        return self.window.operations.run(fn, title)


def _endpoints(dialog: SyncDialog) -> tuple[str, str]:
    form = dialog.form
    return form.api_edit.text().strip(), form.ingestion_edit.text().strip()


def _spec(api: str, ingestion: str) -> ConnectionSpec:
    """How the endpoints of a link are named in messages: an ``ei-desktop serve`` answers
    its API under its own address, Edge Impulse on two hosts.
    """
    if api.rstrip("/") == ingestion.rstrip("/") + "/v1":
        try:
            return ConnectionSpec.server(ingestion)
        except ValueError:
            pass
    return ConnectionSpec.studio(api, ingestion)


def describe(comparison: jobs.Comparison) -> tuple[dict[str, Optional[int]], str]:
    """The dialog's counts and note for ``comparison``."""
    push, pull = comparison.push, comparison.pull
    counts: dict[str, Optional[int]] = {
        "send": len(push.send),
        "change": len(push.change),
        "fetch": len(pull.fetch) + len(pull.update),
        "delete": len(push.delete) + len(pull.delete) if comparison.delete else None,
    }
    if push.empty and pull.empty:
        notes = ["This project and the remote hold the same samples."]
    elif push.present:
        notes = [f"{display.plural(push.present, 'sample')} already on both sides."]
    else:
        notes = ["No sample of this project is on the remote yet."]
    if pull.update:
        changed = display.plural(len(pull.update), "sample")
        notes.append(f"{changed} changed on the remote: Pull brings the changes here.")
    if push.delete and not comparison.delete:
        notes.append(
            f"{display.plural(len(push.delete), 'sample')} deleted here since the last sync"
            " are still on the remote."
        )
    same = len(push.same_content)
    if same:
        notes.append(
            f"{display.plural(same, 'sample')} here share their content with another:"
            " the remote keeps one copy."
        )
    note = " ".join(notes)
    return counts, note


def conflict_rows(comparison: jobs.Comparison) -> list[ConflictRow]:
    """The conflicts of ``comparison`` as the dialog lists them (once per content)."""
    rows: dict[str, ConflictRow] = {}
    for conflict in [*comparison.push.conflicts, *comparison.pull.conflicts]:
        local, remote = conflict.local, conflict.remote
        rows.setdefault(
            local.sha256,
            ConflictRow(local.sha256, local.filename, sync_status.differences(local, remote)),
        )
    return list(rows.values())


def install(window: MainWindow) -> SyncController:
    """Add *Sync with Edge Impulse…* to ``window``'s Project menu (after *Show project
    folder*) and the sync count to its status bar.
    """
    controller = SyncController(window)
    reveal = window.menu_actions.reveal
    menu = menu_showing(window, reveal)
    menu.insertAction(reveal, controller.action)
    menu.insertSeparator(reveal)
    window.statusBar().insertPermanentWidget(0, controller.status_label)
    return controller
