"""Widgets of the main window; the sample preview is ``preview.PreviewPanel``.

Import from the modules: this package imports none of them, so using one widget does not load
pyqtgraph.
"""
