"""Studio API JSON bodies built from core records and summaries (§5.1, §5.4, §5.10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

import numpy as np

from ei_desktop.core import formats, naming
from ei_desktop.core.backends.base import SampleRecord, Series
from ei_desktop.core.edits import Summary

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

    ``metadata`` (when not empty) and ``structuredLabels`` with ``structuredLabelsList``
    (its distinct labels) appear only when the sample has them; ``boundingBoxes`` is always
    there.
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
        "isDisabled": bool(record.disabled),
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
    if record.metadata:
        sample["metadata"] = record.metadata
    if record.structured_labels is not None:
        sample["structuredLabels"] = record.structured_labels
        sample["structuredLabelsList"] = list(
            dict.fromkeys(str(s.get("label", "")) for s in record.structured_labels)
        )
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


# -- dataset summaries -------------------------------------------------------------------------


@dataclass
class CategoryFacts:
    """What a project summary says of one category besides counts: length and frequency
    bounds and the kinds of data in it.
    """

    min_length_ms: float = 0.0
    max_length_ms: float = 0.0
    min_frequency: float = 0.0
    max_frequency: float = 0.0
    timeseries: bool = False
    features: bool = False

    def merge(self, other: CategoryFacts, first: bool) -> CategoryFacts:
        """The facts of both categories together (``first``: ``self`` holds nothing yet)."""
        if first:
            return other
        return CategoryFacts(
            min(self.min_length_ms, other.min_length_ms),
            max(self.max_length_ms, other.max_length_ms),
            min(self.min_frequency, other.min_frequency),
            max(self.max_frequency, other.max_frequency),
            self.timeseries or other.timeseries,
            self.features or other.features,
        )


def duration_text(ms: float) -> str:
    """``1h 2m 3s``, as Studio writes a total length (``0s`` for none)."""
    seconds = int(round(ms / 1000))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m")) if n]
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts)


def filter_options_json(values: dict[str, list[str]], offset: int = 0, limit: Optional[int] = None):
    """A ``MetadataFilterOptions``: every metadata key with its values, a page of keys."""
    keys = sorted(values)
    page = keys[offset : None if limit is None else offset + limit]
    return {
        "totalCount": len(keys),
        "count": len(page),
        "optionsList": [{"key": key, "options": list(values[key])} for key in page],
    }


def _counts(summary: Summary, include_disabled: str) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for row in summary.rows:
        n = {"both": row.count, "disabled": row.disabled}.get(
            include_disabled, row.count - row.disabled
        )
        if n:
            counts[(row.category, row.label)] = counts.get((row.category, row.label), 0) + n
    return counts


def project_metadata_json(
    summary: Summary,
    facts: dict[str, CategoryFacts],
    metadata_values: dict[str, list[str]],
    include_disabled: str = "both",
) -> dict[str, Any]:
    """The ``metadata`` of ``GET …/raw-data/project-metadata`` (a
    ``ProjectDatasetMetadataClasses``): per category and for ``all``, counts and total length
    per label, length and frequency bounds and the metadata filter options.

    Counts follow ``include_disabled``; lengths are those of enabled samples.
    """
    counts = _counts(summary, include_disabled)
    durations = {(r.category, r.label): r.duration_ms for r in summary.rows}
    options = filter_options_json(metadata_values)
    blocks: dict[str, Any] = {}
    every = CategoryFacts()
    for index, category in enumerate(naming.CATEGORIES):
        rows = {label: n for (c, label), n in counts.items() if c == category}
        lengths = {label: durations.get((category, label), 0.0) for label in rows}
        fact = facts.get(category, CategoryFacts())
        every = every.merge(fact, first=index == 0)
        blocks[_CATEGORY_KEYS.get(category, category)] = _category_json(
            rows, lengths, fact, options
        )
    all_rows: dict[str, int] = {}
    all_lengths: dict[str, float] = {}
    for (category, label), n in counts.items():
        all_rows[label] = all_rows.get(label, 0) + n
        all_lengths[label] = all_lengths.get(label, 0.0) + durations.get((category, label), 0.0)
    blocks["all"] = _category_json(all_rows, all_lengths, every, options)
    return {
        "ratio": _ratio_json(counts, durations),
        "labelQueueCount": 0,
        "totalItemCount": sum(counts.values()),
        "type": "classes",
        **blocks,
    }


#: the keys of ``ProjectDatasetMetadataClasses`` that are not the category's name
_CATEGORY_KEYS = {"post-processing": "postProcessing"}
_RATIO_CATEGORIES = ("training", "testing", "validation")


def _category_json(
    rows: dict[str, int], lengths: dict[str, float], fact: CategoryFacts, options: dict
) -> dict[str, Any]:
    total_ms = sum(lengths.values())
    return {
        "type": "classes",
        "totalLength": duration_text(total_ms),
        "totalLengthNumber": int(round(total_ms)),
        "maxLengthMs": int(round(fact.max_length_ms)),
        "minLengthMs": int(round(fact.min_length_ms)),
        "minFrequency": int(round(fact.min_frequency)),
        "maxFrequency": int(round(fact.max_frequency)),
        "itemCount": sum(rows.values()),
        "isTimeseries": fact.timeseries,
        "isFeatures": fact.features,
        "metadataFilterOptions": options,
        "metadataKeys": [o["key"] for o in options["optionsList"]],
        "fullLabelCount": len(rows),
        "labels": [
            {
                "label": label,
                "totalLength": int(round(lengths.get(label, 0.0))),
                "totalLengthStr": duration_text(lengths.get(label, 0.0)),
                "dataCount": n,
            }
            for label, n in sorted(rows.items())
        ],
    }


def _share(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _ratio_json(counts: dict[tuple[str, str], int], durations: dict) -> dict[str, Any]:
    """A ``ProjectDatasetMetadataRatioClasses``, or ``…RatioNoRatio`` without training or
    testing samples.
    """
    per_category = {c: 0 for c in _RATIO_CATEGORIES}
    per_label: dict[str, dict[str, int]] = {}
    for (category, label), n in counts.items():
        if category in per_category:
            per_category[category] += n
            per_label.setdefault(label, dict.fromkeys(_RATIO_CATEGORIES, 0))[category] += n
    has_validation = per_category["validation"] > 0
    if per_category["training"] + per_category["testing"] == 0:
        return {"type": "no-ratio", "hasValidationCategory": has_validation, "count": per_category}
    whole = sum(per_category.values())
    training_share = _share(per_category["training"], whole)
    return {
        "type": "classes",
        "hasValidationCategory": has_validation,
        "trainingRatio": training_share,
        "testingRatio": _share(per_category["testing"], whole),
        "validationRatio": _share(per_category["validation"], whole),
        "showImbalanceTooltip": False,
        # Studio suggests a rebalance when the split is far from its 80/20 default
        "showRebalanceDataset": abs(training_share - naming.TRAINING_SHARE_PERCENT) > 10,
        "showTrainTestSplit": True,
        "invalidRatioClasses": [],
        "allRatioClasses": [_ratio_class(label, n) for label, n in sorted(per_label.items())],
        "categoryData": [
            {"length": float(durations.get((c, label), 0.0)), "category": c, "label": label}
            for (c, label) in sorted(counts)
            if c in per_category
        ],
        "count": per_category,
    }


def _ratio_class(label: str, n: dict[str, int]) -> dict[str, Any]:
    total = sum(n.values())
    return {
        "trainingRatio": _share(n["training"], total),
        "testingRatio": _share(n["testing"], total),
        "validationRatio": _share(n["validation"], total),
        "label": label,
        "total": float(total),
        "totalTraining": float(n["training"]),
        "totalTesting": float(n["testing"]),
        "totalValidation": float(n["validation"]),
        "totalTrainingStr": f"{n['training']:,}",
        "totalTestingStr": f"{n['testing']:,}",
        "totalValidationStr": f"{n['validation']:,}",
    }
