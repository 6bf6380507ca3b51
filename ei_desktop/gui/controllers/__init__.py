"""Controllers: each owns one flow of the main window (ask → confirm → run → report).

The window builds the widgets and keeps the shared state (the backend, the current query);
a controller reads that state, asks the user, runs a job and reports what happened.
"""

from ei_desktop.gui.controllers.browse import BrowseController
from ei_desktop.gui.controllers.connection import ConnectionController
from ei_desktop.gui.controllers.csv_import import CsvImportController
from ei_desktop.gui.controllers.curation import CurationController
from ei_desktop.gui.controllers.delete import DeleteController
from ei_desktop.gui.controllers.download import DownloadController
from ei_desktop.gui.controllers.drop import DropController
from ei_desktop.gui.controllers.operation import OperationRunner
from ei_desktop.gui.controllers.preview import PreviewController
from ei_desktop.gui.controllers.upload import UploadController

__all__ = [
    "BrowseController",
    "ConnectionController",
    "CsvImportController",
    "CurationController",
    "DeleteController",
    "DownloadController",
    "DropController",
    "OperationRunner",
    "PreviewController",
    "UploadController",
]
