"""A guard for callbacks of jobs that may outlive the window or model they report to."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import shiboken6

F = TypeVar("F", bound=Callable)


def while_alive(method: F) -> F:
    """Skip ``method`` when its Qt object was already deleted (a job finished after its
    window closed).
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if not shiboken6.isValid(self):
            return None
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
