"""Where samples live: one :class:`~ei_desktop.core.backends.base.Backend` protocol, two
implementations (a local project folder, and Edge Impulse over HTTP).
"""

from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    DownloadedSample,
    DownloadFailure,
    SampleQuery,
    SampleRecord,
    Series,
    UploadItem,
    UploadResult,
)

__all__ = [
    "Backend",
    "BackendError",
    "DownloadedSample",
    "DownloadFailure",
    "SampleQuery",
    "SampleRecord",
    "Series",
    "UploadItem",
    "UploadResult",
]
