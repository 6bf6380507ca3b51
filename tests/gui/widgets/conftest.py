"""Factories for the records and series the preview widgets show."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from ei_desktop.core.backends.base import SampleRecord, Series
from ei_desktop.core.model import Sensor

ACCEL = [Sensor("accX", "m/s2"), Sensor("accY", "m/s2"), Sensor("accZ", "m/s2")]


@pytest.fixture
def make_record():
    """Build a SampleRecord with sensible defaults for one kind."""

    def make(kind: str = "timeseries", **fields) -> SampleRecord:
        defaults = dict(
            id=7,
            filename="wave.01",
            category="training",
            label="wave",
            kind=kind,
            sensors=list(ACCEL) if kind in ("timeseries", "table") else [],
            interval_ms=10.0 if kind == "timeseries" else 0.0,
            values_count=100 if kind == "timeseries" else 1,
            size=2048,
            added=datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc),
            sha256="ab" * 32,
            device_type="DISCO-L475VG-IOT01A",
        )
        defaults.update(fields)
        return SampleRecord(**defaults)

    return make


@pytest.fixture
def make_series():
    """Build a Series of ``rows`` × len(sensors) values."""

    def make(rows: int = 100, sensors=None, interval_ms: float = 10.0) -> Series:
        sensors = list(ACCEL) if sensors is None else sensors
        t = np.arange(rows, dtype=np.float64)[:, None]
        values = np.sin(t / 10.0 + np.arange(len(sensors))[None, :])
        return Series(sensors=sensors, values=values, interval_ms=interval_ms)

    return make
