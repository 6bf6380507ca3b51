"""numpy arrays as time-series samples (converted by :mod:`ei_desktop.core.frames`)."""

from __future__ import annotations

from typing import Literal, Optional

from ei_desktop.core import frames
from ei_desktop.core.connection import ProjectArg
from ei_desktop.core.model import Sample, Sensor, UploadSamplesResponse
from ei_desktop.core.progress import CancelToken, ProgressCallback
from ei_desktop.data.upload import upload_samples


def numpy_timeseries_to_sample(values, sensors: list[Sensor], sample_rate_ms: int) -> Sample:
    """A time-series sample (acquisition JSON) from a (time points × axes) array."""
    return frames.numpy_timeseries_to_sample(values, sensors, sample_rate_ms)


def upload_numpy(
    data,
    labels: list[str],
    sensors: list[Sensor],
    sample_rate_ms: int,
    metadata: Optional[dict] = None,
    category: Literal["training", "testing", "split", "anomaly"] = "split",
    *,
    allow_duplicates: bool = False,
    api_key: Optional[str] = None,
    show_progress: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    project: ProjectArg = None,
) -> UploadSamplesResponse:
    """Upload a (samples × time points × axes) array as time-series samples, one label each.

    Raises:
        ValueError: labels and samples differ in number, or a sample's axes differ from
            ``sensors``.
    """
    samples = frames.numpy_samples(data, labels, sensors, sample_rate_ms, metadata, category)
    return upload_samples(
        samples,
        allow_duplicates=allow_duplicates,
        api_key=api_key,
        show_progress=show_progress,
        progress=progress,
        cancel=cancel,
        project=project,
    )
