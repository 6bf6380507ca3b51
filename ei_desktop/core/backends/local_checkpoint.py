"""Copying a local project's write-ahead log into the database, after a commit, off the
writer's path.

SQLite's automatic checkpoint runs inside the ``COMMIT`` that crosses its threshold: the
change that made the log large waits while every page it wrote is written a second time and
flushed. A commit is already durable in the log, so this module does that copy on its own
thread, shortly after writes, while the caller goes on. A crash before the copy loses
nothing: the next open replays the log.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

#: how long the checkpointer waits after a commit for more commits to copy at once
SETTLE_SECONDS = 0.2


class Checkpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection after :meth:`written`.

    A passive checkpoint never waits for readers or writers, of this process or another:
    it copies what it can, and the next one copies the rest.
    """

    def __init__(self, database: Path) -> None:
        self._database = database
        self._wake = threading.Condition()
        self._pending = False
        self._copying = False
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ei-local-checkpoint", daemon=True)
        self._thread.start()

    def written(self) -> None:
        """Note that a transaction committed: a checkpoint follows shortly."""
        with self._wake:
            self._pending = True
            self._wake.notify_all()

    def flush(self, timeout: float = 60.0) -> bool:
        """Wait until what was committed so far was copied; False if ``timeout`` ran out."""
        with self._wake:
            return self._wake.wait_for(
                lambda: self._stopping or not (self._pending or self._copying), timeout
            )

    def close(self) -> None:
        """Stop the thread (the last connection to the project to close copies the rest)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._thread.join()

    def _run(self) -> None:
        conn = None
        try:
            conn = sqlite3.connect(self._database, isolation_level=None, check_same_thread=False)
            while self._next():
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # the next commit tries again
                    log.debug("checkpoint of %s failed: %s", self._database, exc)
                finally:
                    with self._wake:
                        self._copying = False
                        self._wake.notify_all()
        except sqlite3.Error as exc:
            log.debug("no checkpoint connection to %s: %s", self._database, exc)
        finally:
            if conn is not None:
                conn.close()

    def _next(self) -> bool:
        """Wait for a commit (then let more settle); False once stopping with none pending."""
        with self._wake:
            while not self._pending and not self._stopping:
                self._wake.wait()
            if self._stopping:
                return False
            self._wake.wait(SETTLE_SECONDS)  # commits in a burst are copied together
            self._pending = False
            self._copying = True
            return True
