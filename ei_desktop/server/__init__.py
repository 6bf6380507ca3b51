"""``ei-desktop serve``: an Edge Impulse–compatible HTTP server over a local project.

One port serves both the ingestion API (``POST /api/{category}/files``) and the Studio API
endpoints the official SDK uses (under ``/v1``).

* :func:`ei_desktop.server.app.create_app` builds the ASGI app for a
  :class:`~ei_desktop.server.project.ServedProject` (a local project).
* :func:`ei_desktop.server.serve.serve` is the ``ei-desktop serve`` command.
* :func:`ei_desktop.server.testing.running_server` runs a server in a background thread for
  tests and other code.
"""
