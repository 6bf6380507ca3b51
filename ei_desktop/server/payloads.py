"""Studio API JSON bodies built from core records (contract §5.1, §5.4, §5.10)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

import numpy as np

from ei_desktop.core import formats
from ei_desktop.core.backends.base import SampleRecord, Series

#: device type reported for files that carry none (seen in Edge Impulse exports)
DEFAULT_DEVICE_TYPE = "EDGE_IMPULSE_UPLOADER"

_CHART_TYPES = {
    formats.TIMESERIES: "chart",
    formats.AUDIO: "chart",
    formats.TABLE: "table",
    formats.IMAGE: "image",
    formats.VIDEO: "video",
}
_MEDIA_SENSOR = {formats.IMAGE: "image", formats.VIDEO: "video"}


def iso(moment: datetime) -> str:
    """``2024-05-01T10:00:00.000Z`` (UTC, milliseconds), as Edge Impulse writes dates."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def project_json(project_id: int, name: str, created: str) -> dict[str, Any]:
    """A Studio ``Project`` with every field the model requires."""
    return {
        "id": project_id,
        "name": name,
        "description": "",
        "created": created,
        "owner": "ei-desktop",
        "ownerIsDeveloperProfile": False,
        "collaborators": [],
        "labelingMethod": "single_label",
        "metadata": {},
        "isEnterpriseProject": False,
        "whitelabelId": None,
        "tier": "free",
        "hasPublicVersion": False,
        "isPublic": False,
        "allowsLivePublicAccess": False,
        "indPauseProcessingSamples": False,
        "publicProjectListed": False,
    }


def _sensors(record: SampleRecord) -> list[dict[str, Any]]:
    return [{"index": i, "name": s.name, "units": s.units} for i, s in enumerate(record.sensors)]


def sample_json(
    record: SampleRecord, project_id: int, *, with_sensors: bool = True
) -> dict[str, Any]:
    """The Studio ``Sample`` object of a record (list items and ``GET …/raw-data/{id}``).

    ``metadata`` and ``structuredLabels`` appear only when the sample has them;
    ``boundingBoxes`` is always there.
    """
    added = iso(record.added)
    interval = float(record.interval_ms)
    frequency = 1000.0 / interval if interval > 0 else 0.0
    sample: dict[str, Any] = {
        "id": record.id,
        "filename": record.filename,
        "signatureValidate": False,
        "signatureMethod": "none",
        "created": added,
        "lastModified": added,
        "added": added,
        "category": record.category,
        "coldstorageFilename": record.cold_storage_name,
        "label": record.label,
        "intervalMs": interval,
        "originalIntervalMs": interval,
        "frequency": frequency,
        "originalFrequency": frequency,
        "deviceType": record.device_type or DEFAULT_DEVICE_TYPE,
        "sensors": _sensors(record) if with_sensors else [],
        "valuesCount": int(record.values_count),
        "totalLengthMs": float(record.length_ms),
        "boundingBoxes": list(record.bounding_boxes or []),
        "boundingBoxesType": "object_detection",
        "chartType": _CHART_TYPES.get(record.kind, "chart"),
        "isDisabled": False,
        "isProcessing": False,
        "processingError": False,
        "isCropped": False,
        "projectId": project_id,
        "sha256Hash": record.sha256,
        # an ei-desktop extension: Studio sends no content size, the HTTP backend reads this
        "sizeBytes": int(record.size),
        "datastreams": [],
    }
    if record.device_name is not None:
        sample["deviceName"] = record.device_name
    if record.metadata is not None:
        sample["metadata"] = record.metadata
    if record.structured_labels is not None:
        sample["structuredLabels"] = record.structured_labels
    if record.width and record.height:
        sample["imageDimensions"] = {"width": int(record.width), "height": int(record.height)}
    return sample


def payload_json(
    record: SampleRecord,
    series: Optional[Series],
    limit_values: Optional[int] = None,
    *,
    convert: bool = True,
) -> dict[str, Any]:
    """The ``payload`` of ``GET …/raw-data/{id}``: ``series`` holds the values of time-series,
    table and audio samples; images and video (``series`` ``None``) have none.

    The first sensor decides how the official SDK downloads a sample: ``image``/``video``
    and ``audio`` with units ``wav`` fetch the media endpoint, anything else is rebuilt from
    ``values`` and ``sample.intervalMs``. ``device_name`` is always present.
    """
    media = _MEDIA_SENSOR.get(record.kind)
    sensors = (
        [{"index": 0, "name": media, "units": "rgba"}] if media is not None else _sensors(record)
    )
    payload: dict[str, Any] = {
        "device_name": record.device_name,
        "device_type": record.device_type or DEFAULT_DEVICE_TYPE,
        "sensors": sensors,
        "values": [],
        "intervalMs": float(record.interval_ms),
        "frequencyHz": record.frequency_hz,
    }
    if series is not None:
        values = series.values
        if limit_values is not None:
            values = values[:limit_values]
        if convert:
            if values.size and not np.isfinite(values).all():
                values = np.nan_to_num(values)  # JSON has no NaN / Infinity
            values = np.ascontiguousarray(values, dtype=np.float64)  # see responses.JSON
        payload["values"] = values
        if series.device_type:
            payload["device_type"] = series.device_type
    return payload


def get_sample_json(
    record: SampleRecord,
    series: Optional[Series],
    project_id: int,
    limit_values: Optional[int] = None,
    *,
    convert: bool = True,
) -> dict[str, Any]:
    """The whole ``GetSampleResponse`` of a found sample (``convert``: see
    :func:`payload_json`).
    """
    return {
        "success": True,
        "sample": sample_json(record, project_id),
        "payload": payload_json(record, series, limit_values, convert=convert),
        "totalPayloadLength": int(record.values_count),
        "datastreamPayloads": [],
    }
