"""The dataset summary above the table, like Studio's data acquisition header: the train/test
split as a two-colour bar, the total samples and duration, counts and durations per label, and
warnings about the split (a label missing from testing, a ratio far from 80/20).
"""

from __future__ import annotations

import html
from typing import Optional

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ei_desktop.core import display
from ei_desktop.core.backends.base import Backend
from ei_desktop.core.edits import Summary
from ei_desktop.gui.alive import while_alive
from ei_desktop.gui.jobs.runner import JobRunner, error_message
from ei_desktop.gui.jobs.summary import summary_job
from ei_desktop.gui.models import format as fmt
from ei_desktop.gui.widgets.colors import label_colors

#: colours of the categories in the split bar
CATEGORY_COLORS = {"training": "#1f77b4", "testing": "#ff7f0e", "validation": "#2ca02c"}
#: the training share Edge Impulse recommends, and the range that reads as fine
RECOMMENDED_TRAIN = 80
TRAIN_RANGE = (70, 90)
#: label chips shown before "+N more" (the tooltip lists every label)
MAX_CHIPS = 8


def label_table(summary: Summary) -> dict[str, dict[str, int]]:
    """Enabled samples per label and category: ``{label: {category: n}}``."""
    table: dict[str, dict[str, int]] = {}
    for row in summary.rows:
        per = table.setdefault(row.label, {})
        per[row.category] = per.get(row.category, 0) + row.count - row.disabled
    return table


def summary_warnings(summary: Summary) -> list[str]:
    """What looks wrong with the split, in sentences (empty when nothing does).

    A label with samples in training and none in testing (or the reverse), and a train share
    outside :data:`TRAIN_RANGE`.
    """
    counts = summary.by_category()
    train, test = counts.get("training", 0), counts.get("testing", 0)
    warnings: list[str] = []
    if train + test > 0:
        share, rest = summary.train_test_ratio
        low, high = TRAIN_RANGE
        if not low <= share <= high:
            warnings.append(
                f"The train/test split is {share} % / {rest} %, far from the recommended "
                f"{RECOMMENDED_TRAIN} % / {100 - RECOMMENDED_TRAIN} %."
            )
    table = label_table(summary)
    only_train = sorted(
        fmt.label_name(label)
        for label, per in table.items()
        if per.get("training", 0) > 0 and per.get("testing", 0) == 0
    )
    only_test = sorted(
        fmt.label_name(label)
        for label, per in table.items()
        if per.get("testing", 0) > 0 and per.get("training", 0) == 0
    )
    if only_train and test > 0:
        warnings.append(f"In training but missing from testing: {', '.join(only_train)}.")
    if only_test:
        warnings.append(f"In testing but missing from training: {', '.join(only_test)}.")
    return warnings


class SplitBar(QWidget):
    """A rounded bar split in the colours of :data:`CATEGORY_COLORS` by the given shares."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._shares: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: D102
        return QSize(140, 10)

    def set_counts(self, counts: dict[str, int]) -> None:
        """Show the shares of ``counts`` (training, testing, validation)."""
        total = sum(counts.get(c, 0) for c in CATEGORY_COLORS)
        self._shares = (
            [(c, counts.get(c, 0) / total) for c in CATEGORY_COLORS if counts.get(c, 0)]
            if total
            else []
        )
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: D102
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        clip = QPainterPath()
        clip.addRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setClipPath(clip)
        painter.fillRect(rect, self.palette().mid())
        x = rect.left()
        for category, share in self._shares:
            width = rect.width() * share
            painter.fillRect(
                QRectF(x, rect.top(), width, rect.height()), QColor(CATEGORY_COLORS[category])
            )
            x += width
        painter.end()


class SummaryBar(QFrame):
    """The summary of the open project (see the module's description).

    Args:
        runner: where the summary is read (a latest-wins slot on it).

    Signals:
        refreshed: a summary arrived and is shown.
        rebalanceRequested: the user clicked "Rebalance…".
    """

    refreshed = Signal()
    rebalanceRequested = Signal()

    def __init__(self, runner: JobRunner, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("SummaryBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._slot = runner.slot(self)
        self._slot.finished.connect(self._loaded)
        self._slot.failed.connect(self._failed)
        self._summary: Optional[Summary] = None
        self._warnings: list[str] = []

        self.split_title = QLabel("Train / test split", self)
        self.split_bar = SplitBar(self)
        self.split_text = QLabel(self)
        self.split_text.setAccessibleName("Train / test split")
        self.totals = QLabel(self)
        self.totals.setAccessibleName("Total samples and duration")
        self.chips = QWidget()
        # the chips keep their size in a strip that takes the room there is and never widens
        # the window: the ones that do not fit whole are hidden and counted in "+N more"
        # (the tooltip lists every label)
        self.chip_strip = QScrollArea(self)
        self.chip_strip.setWidget(self.chips)
        self.chip_strip.setFrameShape(QFrame.Shape.NoFrame)
        self.chip_strip.setWidgetResizable(True)
        self.chip_strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chip_strip.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.chip_strip.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.chip_strip.setFixedHeight(self.fontMetrics().height() + 8)
        self.chip_strip.setStyleSheet("QScrollArea { background: transparent; }")
        self.chips.setStyleSheet("background: transparent;")
        self._chip_layout = QHBoxLayout(self.chips)
        self._chip_layout.setContentsMargins(0, 0, 0, 0)
        self._chip_layout.setSpacing(4)
        self._chip_labels: list[QLabel] = []
        self._beyond = 0  # labels past MAX_CHIPS
        self._more: Optional[QLabel] = None
        self.chip_strip.installEventFilter(self)
        self.rebalance_button = QToolButton(self)
        self.rebalance_button.setText("Rebalance…")
        self.rebalance_button.setAutoRaise(True)
        self.rebalance_button.setToolTip("Divide the samples between training and testing again")
        self.rebalance_button.clicked.connect(self.rebalanceRequested)

        self.warning_icon = QLabel(self)
        size = self.fontMetrics().height()
        self.warning_icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        )
        self.warning_text = QLabel(self)
        self.warning_text.setWordWrap(True)
        self.warning_text.setTextFormat(Qt.TextFormat.PlainText)
        self.warning_text.setAccessibleName("Split warnings")
        self.warning_text.setStyleSheet("color: #8a5300;")
        self.warning_row = QWidget(self)
        warning_layout = QHBoxLayout(self.warning_row)
        warning_layout.setContentsMargins(0, 0, 0, 0)
        warning_layout.addWidget(self.warning_icon, 0, Qt.AlignmentFlag.AlignTop)
        warning_layout.addWidget(self.warning_text, 1)

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.split_title)
        top.addWidget(self.split_bar, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.split_text)
        top.addSpacing(12)
        top.addWidget(self.totals)
        top.addStretch(1)
        top.addWidget(self.rebalance_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.chip_strip)
        layout.addWidget(self.warning_row)
        self.clear()

    # -- reading ------------------------------------------------------------------------------

    def refresh(self, backend: Optional[Backend]) -> None:
        """Read the summary of ``backend`` again (``None``: show nothing); the latest wins."""
        if backend is None:
            self._slot.cancel()
            self.clear()
            return
        self._slot.start(summary_job(backend), name="summary")

    @property
    def loading(self) -> bool:
        """True while a summary is being read."""
        return self._slot.running

    @while_alive
    def _loaded(self, summary: Summary) -> None:
        self.set_summary(summary)
        self.refreshed.emit()

    @while_alive
    def _failed(self, error: BaseException) -> None:
        self.split_text.setText("")
        self.totals.setText(f"Cannot read the summary: {error_message(error)}")

    # -- showing ------------------------------------------------------------------------------

    def clear(self) -> None:
        """Show no project."""
        self._summary = None
        self._warnings = []
        self.split_bar.set_counts({})
        self.split_text.setText("–")
        self.totals.setText("")
        self._set_chips({}, {})
        self.warning_row.hide()
        self.rebalance_button.setEnabled(False)

    def set_summary(self, summary: Summary) -> None:
        """Show ``summary``."""
        self._summary = summary
        counts = summary.by_category()
        train, test = summary.train_test_ratio
        self.split_bar.set_counts(counts)
        self.split_text.setText(f"{train} % / {test} %" if counts else "–")
        self.split_bar.setToolTip(self._category_tooltip(summary))
        self.split_text.setToolTip(self.split_bar.toolTip())
        total = sum(counts.values())
        duration = sum(summary.duration_by_category().values())
        text = display.plural(total, "sample")
        if duration > 0:
            text += f" · {display.duration(duration)}"
        disabled = sum(row.disabled for row in summary.rows)
        if disabled:
            text += f" ({display.count(disabled)} disabled)"
        self.totals.setText(text)
        self._set_chips(summary.by_label(), summary.duration_by_label())
        self.chips.setToolTip(self._label_tooltip(summary))
        self.chip_strip.setToolTip(self.chips.toolTip())
        self._warnings = summary_warnings(summary)
        self.warning_text.setText("  ".join(self._warnings))
        self.warning_row.setVisible(bool(self._warnings))
        self.rebalance_button.setEnabled(total > 0)

    def summary(self) -> Optional[Summary]:
        """The summary shown (``None`` before one arrived)."""
        return self._summary

    def ratio_text(self) -> str:
        """The split as shown: ``Train / test split 80 % / 20 %``."""
        return f"{self.split_title.text()} {self.split_text.text()}"

    def warnings(self) -> list[str]:
        """The warnings shown."""
        return list(self._warnings) if self.warning_row.isVisibleTo(self) else []

    def chip_texts(self) -> list[str]:
        """The text of each label chip shown, in order (then "+N more", when shown)."""
        shown = [chip for chip in self._chip_labels if not chip.isHidden()]
        if self._more is not None and not self._more.isHidden():
            shown.append(self._more)
        return [chip.text() for chip in shown]

    def eventFilter(self, watched, event) -> bool:  # noqa: D102
        if watched is self.chip_strip and event.type() == QEvent.Type.Resize:
            self._fit_chips()
        return False

    def _fit_chips(self) -> None:
        """Show as many chips, in order, as fit whole in the strip; "+N more" counts the rest."""
        if self._more is None:
            return
        # the strip's own size: a resize reaches this filter before the strip sizes its viewport
        room = self.chip_strip.contentsRect().width()
        spacing = self._chip_layout.spacing()
        for chip in (*self._chip_labels, self._more):
            chip.ensurePolished()  # a chip's style sheet (border, padding) counts in its width
        widths = [chip.sizeHint().width() for chip in self._chip_labels]
        shown = len(widths)
        while shown > 0:
            hidden = len(widths) - shown + self._beyond
            used = sum(widths[:shown]) + spacing * (shown - 1)
            if hidden:
                self._more.setText(f"+{hidden} more")
                used += spacing + self._more.sizeHint().width()
            if used <= room:
                break
            shown -= 1
        hidden = len(widths) - shown + self._beyond
        self._more.setText(f"+{hidden} more")
        self._more.setVisible(hidden > 0)
        for i, chip in enumerate(self._chip_labels):
            chip.setVisible(i < shown)

    def _set_chips(self, counts: dict[str, int], durations: dict[str, float]) -> None:
        while self._chip_layout.count():
            item = self._chip_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        labels = sorted(counts, key=lambda label: (-counts[label], label))
        colors = label_colors(labels)
        self._chip_labels = []
        for label in labels[:MAX_CHIPS]:
            text = f"{fmt.label_name(label)} {display.count(counts[label])}"
            if durations.get(label, 0) > 0:
                text += f" · {display.duration(durations[label])}"
            chip = QLabel(text, self.chips)
            chip.setTextFormat(Qt.TextFormat.PlainText)
            color = colors[label]
            chip.setStyleSheet(
                f"QLabel {{ border: 1px solid {color.name()}; border-left: 4px solid "
                f"{color.name()}; border-radius: 3px; padding: 0 4px; }}"
            )
            self._chip_layout.addWidget(chip)
            self._chip_labels.append(chip)
        self._beyond = max(0, len(labels) - MAX_CHIPS)
        self._more = QLabel(self.chips)
        self._more.setEnabled(False)
        self._chip_layout.addWidget(self._more)
        self._chip_layout.addStretch(1)
        self._fit_chips()

    @staticmethod
    def _category_tooltip(summary: Summary) -> str:
        counts = summary.by_category()
        durations = summary.duration_by_category()
        lines = [
            f"{fmt.category_name(c)}: {display.plural(n, 'sample')}"
            + (f", {display.duration(durations[c])}" if durations.get(c, 0) > 0 else "")
            for c, n in sorted(counts.items())
        ]
        return "\n".join(lines)

    @staticmethod
    def _label_tooltip(summary: Summary) -> str:
        table = label_table(summary)
        durations = summary.duration_by_label()
        head = "".join(
            f"<th align='right'>{fmt.category_name(c)}</th>" for c in ("training", "testing")
        )
        rows = []
        for label in sorted(table):
            per = table[label]
            rows.append(
                f"<tr><td>{html.escape(fmt.label_name(label))}</td>"
                f"<td align='right'>{display.count(per.get('training', 0))}</td>"
                f"<td align='right'>{display.count(per.get('testing', 0))}</td>"
                f"<td align='right'>{display.duration(durations.get(label, 0.0))}</td></tr>"
            )
        return (
            f"<table cellspacing='4'><tr><th align='left'>Label</th>{head}"
            f"<th align='right'>Duration</th></tr>{''.join(rows)}</table>"
        )
