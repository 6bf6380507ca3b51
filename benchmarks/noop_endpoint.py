#!/usr/bin/env python3
"""A do-nothing ingestion endpoint: the ceiling for an upload over HTTP with FastAPI.

    .venv/bin/python benchmarks/noop_endpoint.py PORT

It parses each multipart upload (FastAPI's own form parsing) and answers one success per
file, storing nothing; the two Studio calls an upload makes first (the project, the newest
sample) get fixed answers. It runs on the same uvicorn settings as ``ei-desktop serve``
(``ei_desktop.server.runner``), so an upload to ``serve`` timed against it shows what the
store and its checks cost on top of the transport. ``noop_process`` starts it in a process
of its own, as ``serve`` runs in one.
"""

from __future__ import annotations

import http.client
import itertools
import subprocess
import sys
import time
from pathlib import Path

from fastapi import FastAPI, Request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PROJECT_ID = 1


def create_app() -> FastAPI:
    """The do-nothing app."""
    app = FastAPI()
    numbers = itertools.count(1)

    @app.get("/v1/api/projects")
    async def projects() -> dict:
        return {"success": True, "projects": [{"id": PROJECT_ID, "name": "noop"}]}

    @app.get("/v1/api/{project}/raw-data")
    async def listing(project: int) -> dict:
        return {"success": True, "samples": [], "totalCount": 0}

    @app.post("/api/{category}/files")
    async def files(category: str, request: Request) -> dict:
        form = await request.form()
        parts = form.getlist("data")
        answer = [
            {"success": True, "sampleId": next(numbers), "fileName": part.filename}
            for part in parts
        ]
        await form.close()
        return {"success": True, "files": answer}

    return app


def noop_process(port: int) -> subprocess.Popen:
    """This endpoint in a process of its own on ``127.0.0.1:port``, once it answers."""
    process = subprocess.Popen([sys.executable, __file__, str(port)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/v1/api/projects")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.02)
        finally:
            connection.close()
    process.kill()
    raise RuntimeError("the do-nothing endpoint did not start")


def main() -> None:
    from ei_desktop.server.runner import bind, make_server

    sock = bind("127.0.0.1", int(sys.argv[1]))
    make_server(create_app()).run(sockets=[sock])


if __name__ == "__main__":
    main()
