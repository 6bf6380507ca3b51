"""The preview area of the main window: the sample's content above its details."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core.backends.base import SampleRecord, Series
from ei_desktop.gui.widgets.audio import AudioView
from ei_desktop.gui.widgets.cut_tools import CutTools
from ei_desktop.gui.widgets.details import DetailsPanel
from ei_desktop.gui.widgets.envelope import Envelope
from ei_desktop.gui.widgets.image_view import ImageView
from ei_desktop.gui.widgets.segment_editor import SegmentEditor
from ei_desktop.gui.widgets.timeseries import TimeSeriesView
from ei_desktop.gui.widgets.video import VideoView

log = logging.getLogger(__name__)


class MessagePage(QWidget):
    """A centred title and a plain-text explanation (selectable, so it can be copied)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.body = QLabel()
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)

    def set_message(self, title: str, body: str = "") -> None:
        """Show ``title`` in bold and ``body`` below it."""
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.body.setText(body)
        self.body.setVisible(bool(body))


class LoadingPage(QWidget):
    """A "Loading…" text with a busy indicator."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("Loading…")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        busy.setMaximumWidth(200)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)


class PreviewPanel(QWidget):
    """The sample preview: its content (plot, image, waveform…) above its details.

    The panel does no I/O. The caller loads content in the background and hands it over on
    the UI thread; :attr:`current_id` tells it whether a result is still wanted.

    Signals:
        contentChanged(): another sample (or none, or a loading state) is shown.
    """

    contentChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current_id: int | None = None
        self._kind: str | None = None
        #: the record of the sample shown with its content (``None`` while none is)
        self.shown_record: SampleRecord | None = None
        self.empty = MessagePage()
        self.loading = LoadingPage()
        self.message = MessagePage()
        self.timeseries = TimeSeriesView()
        self.image = ImageView()
        self.audio = AudioView()
        self.video = VideoView()
        self.stack = QStackedWidget()
        for page in (
            self.empty,
            self.loading,
            self.message,
            self.timeseries,
            self.image,
            self.audio,
            self.video,
        ):
            self.stack.addWidget(page)
        self.details = DetailsPanel()

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        # proportions until the user drags the handle: the details of a time series (up to its
        # length and frequency) fit without scrolling at the window's default size
        self.splitter.setSizes([400, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.show_empty()

    @property
    def current_id(self) -> int | None:
        """The id of the sample shown or loading (``None`` when none)."""
        return self._current_id

    def cut_tools(self) -> CutTools | None:
        """The crop and split tools of the sample shown, when it is a time series or audio
        plotted with at least two values (``None`` otherwise).
        """
        page = self.stack.currentWidget()
        if self._kind == "timeseries" and page is self.timeseries:
            tools = self.timeseries.cut_tools
        elif self._kind == "audio" and page is self.audio:
            tools = self.audio.cut_tools
        else:
            return None
        return tools if tools.rows > 1 else None

    def all_cut_tools(self) -> tuple[CutTools, CutTools]:
        """The crop and split tools of every page that has them."""
        return self.timeseries.cut_tools, self.audio.cut_tools

    def segment_editor(self) -> SegmentEditor | None:
        """The label-segment editor of the plot shown, when :meth:`cut_tools` has one."""
        tools = self.cut_tools()
        if tools is None:
            return None
        if tools is self.audio.cut_tools:
            return self.audio.segment_editor
        return self.timeseries.segment_editor

    def all_segment_editors(self) -> tuple[SegmentEditor, SegmentEditor]:
        """The label-segment editors of every page that has them."""
        return self.timeseries.segment_editor, self.audio.segment_editor

    def current_page(self) -> QWidget:
        """The page shown above the details."""
        return self.stack.currentWidget()

    def show_empty(self, text: str = "Select a sample to preview it") -> None:
        """Show no sample, just ``text``."""
        self._current_id = None
        self._release_content()
        self.details.clear()
        self.details.hide()
        self.empty.set_message("", text)
        self.stack.setCurrentWidget(self.empty)
        self._shown(None)

    def show_loading(self, record: SampleRecord) -> None:
        """Show ``record``'s details now and a loading state until its content arrives."""
        self._current_id = record.id
        self._release_content()
        self._show_details(record)
        self.stack.setCurrentWidget(self.loading)
        self._shown(None)

    def show_sample(
        self,
        record: SampleRecord,
        series: Series | None = None,
        data: bytes | None = None,
        envelope: Envelope | None = None,
    ) -> None:
        """Show ``record`` with its content: ``series`` for time series, tables and audio,
        ``data`` (the file's bytes) for images. Missing content shows a message.
        ``envelope``: the series' :class:`Envelope`, computed with it off the UI thread.
        """
        self._current_id = record.id
        self._show_details(record)
        try:
            self._show_content(record, series, data, envelope)
        except Exception as error:  # a bad sample must not take the window down
            log.exception("Preview of sample %s failed", record.id)
            self._release_content()
            self._show_message("Could not show this sample", f"{type(error).__name__}: {error}")
        self.shown_record = record
        self._shown(record.kind)

    def show_error(self, record: SampleRecord | None, message: str) -> None:
        """Show that loading ``record`` (or anything, when ``None``) failed, and why."""
        self._current_id = record.id if record is not None else None
        self._release_content()
        if record is not None:
            self._show_details(record)
        else:
            self.details.clear()
            self.details.hide()
        self._show_message("Could not load the preview", message)
        self._shown(None)

    # -- helpers -----------------------------------------------------------------------------

    def _shown(self, kind: str | None) -> None:
        self._kind = kind
        if kind is None:
            self.shown_record = None
        if kind is not None:  # a table's rows plot like a time series, but are not cut
            self.timeseries.cut_tools.setVisible(kind == "timeseries")
        self.contentChanged.emit()

    def _show_content(
        self,
        record: SampleRecord,
        series: Series | None,
        data: bytes | None,
        envelope: Envelope | None = None,
    ) -> None:
        kind = record.kind
        if kind in ("timeseries", "table", "audio"):
            self.image.clear()
            if series is None:
                self._release_content()
                self._show_message("No values", "The values of this sample could not be loaded.")
            elif kind == "audio":
                self.timeseries.clear()
                self.audio.set_audio(series, record.structured_labels, envelope)
                self.stack.setCurrentWidget(self.audio)
            else:
                self.audio.clear()
                self.timeseries.set_series(series, record.structured_labels, envelope)
                self.stack.setCurrentWidget(self.timeseries)
        elif kind == "image":
            self.timeseries.clear()
            self.audio.clear()
            if data is None:
                self._show_message("No image", "The image of this sample could not be loaded.")
            else:
                self.image.set_image(data, record.bounding_boxes)
                self.stack.setCurrentWidget(self.image)
        elif kind == "video":
            self._release_content()
            self.video.set_video(record, data)
            self.stack.setCurrentWidget(self.video)
        else:
            self._release_content()
            self._show_message("No preview", f"There is no preview for samples of kind '{kind}'.")

    def _show_details(self, record: SampleRecord) -> None:
        self.details.set_record(record)
        self.details.show()

    def _show_message(self, title: str, body: str) -> None:
        self.message.set_message(title, body)
        self.stack.setCurrentWidget(self.message)

    def _release_content(self) -> None:
        # Drop the previous sample's arrays and image so a big one is not kept alive.
        self.timeseries.clear()
        self.audio.clear()
        self.image.clear()
        self.video.clear()
