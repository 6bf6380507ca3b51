"""The desktop app (PySide6). Start it with :func:`ei_desktop.gui.app.run`."""
