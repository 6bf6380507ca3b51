"""Uploading a :class:`~ei_desktop.ops.plan.Plan`."""

from __future__ import annotations

from typing import Optional

from ei_desktop.core.backends.base import Backend, ServerUnreachable, UploadResult
from ei_desktop.core.progress import CancelToken, ProgressCallback, is_cancelled
from ei_desktop.ops.plan import Plan
from ei_desktop.ops.report import ItemReport, Report, Status


def upload(
    backend: Backend,
    plan: Plan,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    keep_done: bool = False,
) -> Report:
    """Store the plan's items; one bad file never stops the rest.

    The report lists the plan's skipped files first, then each item already present (the
    same content is in the project) or failed, with its reason; stored items are counted
    (:attr:`Report.done_count`, :meth:`Report.done_categories`) and listed too, with their
    ids and categories, only with ``keep_done`` (so an upload of many files holds nothing per
    stored file). Items not reached before ``cancel`` are counted in ``total`` only. When the
    server goes away mid-way, the report holds what was attempted and ``stopped_by`` says why.

    Raises:
        BackendError: the backend cannot be used at all (wrong key, damaged project).
    """
    keep = frozenset(Status) if keep_done else frozenset(Status) - {Status.DONE}
    report = Report("Upload", "uploaded", total=len(plan.items) + len(plan.skipped), keep=keep)
    for skipped in plan.skipped:
        status = Status.FAILED if skipped.failed else Status.SKIPPED
        report.add(ItemReport(skipped.path, status, skipped.reason))
    if plan.items:
        before = report.total - len(plan.items)

        def add(result: UploadResult) -> None:
            report.add(item_report(result))

        try:
            backend.upload(
                plan.items,
                allow_duplicates=plan.options.allow_duplicates,
                progress=progress,
                cancel=cancel,
                on_result=add,
            )
        except ServerUnreachable as exc:
            if report.total - report.not_attempted == before:  # nothing was attempted
                raise
            report.stopped_by = str(exc)
    report.cancelled = is_cancelled(cancel) and report.not_attempted > 0
    return report


def item_report(result: UploadResult) -> ItemReport:
    """The report entry of one upload result."""
    name = str(result.item.key) if result.item.key is not None else result.item.filename
    if result.success:
        status, reason = Status.DONE, ""
    elif result.duplicate:
        status, reason = Status.PRESENT, _same_content(result.error or "")
    else:
        status, reason = Status.FAILED, result.error or "Unknown error"
    return ItemReport(
        name,
        status,
        reason,
        sample_id=result.sample_id,
        category=result.category,
        key=result.item.key,
    )


def _same_content(error: str) -> str:
    """``Same content as ID 12`` (or ``IDs 1, 2``) from a duplicate refusal that names them."""
    start = error.find("(ids:")
    if start < 0:
        return "The same content is already in the project"
    ids = error[start + len("(ids:") :].strip(" )")
    return f"Same content as ID{'s' if ',' in ids else ''} {ids}"
