"""The widgets of the box editing mode: the bar under the image (the *Edit boxes* toggle,
what to do, Save and Cancel) and the small label editor shown over a box.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

#: what the bar says while editing
HINT = (
    "Drag a box to move it, its edges to resize it, the image to draw one · "
    "Del deletes · F2 or double-click renames · Ctrl+Z undoes · Ctrl+S saves · Esc cancels"
)


class LabelEdit(QLineEdit):
    """The small label editor shown over a box, with completion from the project's labels.

    Enter (or clicking elsewhere) accepts, Esc cancels.

    Signals:
        accepted(str): the label typed.
        cancelled(): Esc.
    """

    accepted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setPlaceholderText("Label")
        self.setMinimumWidth(160)
        completer = QCompleter([], self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompleter(completer)
        self._open = False
        self.hide()

    def set_labels(self, labels: list[str]) -> None:
        """The labels offered as completions."""
        self.completer().model().setStringList(sorted(set(labels)))

    def ask(self, text: str, where: QPointF) -> None:
        """Show the editor with ``text`` selected, its top-left near ``where`` (kept inside
        the parent widget).
        """
        self.setText(text)
        self.adjustSize()
        parent = self.parentWidget()
        x = min(max(where.x(), 0.0), max(parent.width() - self.width(), 0))
        y = min(max(where.y(), 0.0), max(parent.height() - self.height(), 0))
        self.move(round(x), round(y))
        self._open = True
        self.show()
        self.raise_()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.selectAll()

    @property
    def is_open(self) -> bool:
        """True while the editor waits for a label."""
        return self._open

    def finish(self, accept: bool) -> None:
        """Close the editor, accepting its text or not."""
        if not self._open:
            return
        self._open = False
        self.hide()
        if accept:
            self.accepted.emit(self.text().strip())
        else:
            self.cancelled.emit()

    def event(self, event: QEvent) -> bool:
        """Enter and Esc belong to the editor, not to the window's shortcuts."""
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in (
            Qt.Key.Key_Escape,
            Qt.Key.Key_Return,
            Qt.Key.Key_Enter,
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Enter accepts, Esc cancels."""
        popup = self.completer().popup()
        if popup is not None and popup.isVisible():
            super().keyPressEvent(event)
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self.finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Clicking elsewhere accepts what was typed (the completion list is not elsewhere)."""
        super().focusOutEvent(event)
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.finish(True)


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it is too narrow (the full text in its tooltip)."""

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Draw the text elided to the width."""
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(
            rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
        )

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As narrow as needed."""
        return QSize(0, super().minimumSizeHint().height())


class BoxEditBar(QWidget):
    """The bar under the image: the *Edit boxes* toggle, the number of boxes, Save and Cancel;
    while editing, what the mouse and keys do on a second row, wrapped (never cut).
    """

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.toggle_button = QToolButton()
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status = ElidedLabel()
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the boxes of this image (Ctrl+S)")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Forget the changes to the boxes (Esc)")
        for button in (self.save_button, self.cancel_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.toggle_button)
        row.addWidget(self.status, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        self.show_editing(False, False, 0)

    def show_editing(self, editing: bool, dirty: bool, count: int) -> None:
        """Show the bar for the mode, the unsaved changes and the number of boxes."""
        self.save_button.setVisible(editing)
        self.cancel_button.setVisible(editing)
        self.save_button.setEnabled(dirty)
        boxes = f"{count} box" if count == 1 else f"{count} boxes"
        text = f"{boxes}, not saved" if editing and dirty else boxes
        self.status.setText(text)
        self.status.setToolTip(text)
        self.hint.setVisible(editing)
