"""Public data types, field for field the same as ``edgeimpulse.data.sample_type``."""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BufferedIOBase, StringIO
from typing import Any, Literal, Optional, Union


@dataclass
class Sensor:
    """One axis in the data acquisition format: a name and SenML units (not validated)."""

    name: str
    units: str = "m/s"


@dataclass
class Payload:
    """The sensor data of a data acquisition file."""

    device_type: str
    sensors: list[Sensor]
    values: list[list[float]]
    interval_ms: Optional[float] = 0
    device_name: Optional[str] = None


@dataclass
class Protected:
    """The signature header of a data acquisition file."""

    ver: str = "v1"
    alg: Literal["HS256", "none"] = "none"
    iat: Optional[int] = None


@dataclass
class DataAcquisition:
    """A whole data acquisition file (protected header, payload, signature)."""

    protected: Protected
    payload: Payload
    signature: Optional[str] = None


@dataclass
class Sample:
    """A sample to upload, or one that was downloaded.

    Attributes:
        data: the content: a binary or text file object, ``bytes``, ``str`` (the content
            itself, not a path), a ``StringIO`` or a :class:`DataAcquisition`.
        filename: name to store the sample under, with its extension (which decides how the
            content is read). ``None`` picks a random name with an extension guessed from the
            content.
        category: ``"training"``, ``"testing"``, ``"validation"``, ``"post-processing"``,
            ``"anomaly"`` or ``"split"`` (80/20 training/testing, decided by the content hash).
            ``None`` means ``"split"``.
        label: the label. ``None`` infers it from the filename; ``""`` stores it unlabeled.
        bounding_boxes: list of ``{"label", "x", "y", "width", "height"}`` (or its JSON text).
        metadata: string key/value pairs.
        sample_id: set from the server's answer after a successful upload.
        structured_labels: ``[{"label", "startIndex", "endIndex"}, ...]`` over value rows,
            inclusive.
    """

    data: Union[BufferedIOBase, StringIO, str, bytes, DataAcquisition, Any]
    filename: Optional[str] = None
    category: Optional[str] = "split"
    label: Optional[str] = None
    bounding_boxes: Optional[Union[list[dict], str]] = None
    metadata: Optional[dict] = None
    sample_id: Optional[int] = None
    structured_labels: Optional[list[dict]] = None

    def __str__(self) -> str:
        return (
            f"Sample(filename={self.filename!r}, "
            f"category={self.category!r}, "
            f"label={self.label!r}, "
            f"metadata={self.metadata!r}, "
            f"sample_id={self.sample_id!r})"
        )


class SampleIngestionResponse:
    """The outcome of uploading one sample, with the sample itself.

    Attributes: ``sample``, ``success``, ``error`` (a message naming the problem, or
    ``None``), ``sample_id``, ``project_id``, ``filename``.
    """

    def __init__(self, sample: Sample, response: dict):
        self.sample = sample
        self.success = bool(response.get("success", False))
        self.error = response.get("error")
        self.sample_id = response.get("sampleId")
        self.project_id = response.get("projectId")
        self.filename = response.get("fileName")
        #: where ``split`` resolved to; not part of the official response
        self.category = response.get("category")

    def __repr__(self) -> str:
        return (
            f"SampleIngestionResponse(success={self.success}, error={self.error}, "
            f"sampleId={self.sample_id}, projectId={self.project_id}, "
            f"fileName={self.filename}, sample={self.sample})"
        )


class UploadSamplesResponse:
    """Results of uploading several samples: ``successes``, ``fails`` and ``success``.

    ``cancelled`` is true when the upload was stopped through a cancel token; samples that
    were not attempted then appear in neither list.
    """

    def __init__(
        self,
        successes: list[SampleIngestionResponse],
        fails: list[SampleIngestionResponse],
        cancelled: bool = False,
    ):
        self.successes = successes
        self.fails = fails
        self.success = len(fails) == 0
        self.cancelled = cancelled

    def __repr__(self) -> str:
        msg = "UploadSamplesResponse\r\n"
        msg += f"  success: {self.success}\r\n"
        msg += f"  number of successes: {len(self.successes)}\r\n"
        msg += f"  number of fails: {len(self.fails)}"
        return msg

    def extend(
        self,
        successes: list[SampleIngestionResponse],
        fails: list[SampleIngestionResponse],
    ) -> None:
        """Add more results."""
        self.successes.extend(successes)
        self.fails.extend(fails)
        self.success = len(self.fails) == 0


@dataclass(slots=True)
class SampleInfo:
    """What a listing returns for each sample."""

    sample_id: Optional[int] = None
    filename: Optional[str] = None
    category: Optional[str] = None
    label: Optional[str] = None


@dataclass
class GenericApiResponse:
    """Answer of a delete call: ``success`` and, on failure, ``error``."""

    success: bool
    error: Optional[str] = None
    #: how many samples were deleted (not part of the official response)
    deleted: Optional[int] = field(default=None, compare=False)
