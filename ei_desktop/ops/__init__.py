"""Every user-facing operation, written once: plain functions over a
:class:`~ei_desktop.core.backends.base.Backend` that take ``progress`` and ``cancel`` and
return a :class:`Report`. No Qt, no printing: the app, the CLI and the SDK functions are thin
faces over these. Curation (changing samples already stored, undo, redo) is
:mod:`ei_desktop.ops.curate`, whose operations return one :class:`EditReport` each.
"""

from ei_desktop.ops import curate, export
from ei_desktop.ops.curate import EditPreview, EditReport
from ei_desktop.ops.delete import delete, delete_all
from ei_desktop.ops.download import download
from ei_desktop.ops.plan import Plan, Skipped, UploadOptions, plan_upload
from ei_desktop.ops.report import ItemReport, Report, Status
from ei_desktop.ops.splits import SplitReport
from ei_desktop.ops.upload import upload

__all__ = [
    "EditPreview",
    "EditReport",
    "ItemReport",
    "Plan",
    "Report",
    "Skipped",
    "SplitReport",
    "Status",
    "UploadOptions",
    "curate",
    "delete",
    "delete_all",
    "download",
    "export",
    "plan_upload",
    "upload",
]
