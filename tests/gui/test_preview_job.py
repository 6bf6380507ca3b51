from __future__ import annotations

import numpy as np

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.progress import CancelToken
from ei_desktop.gui.jobs.preview import preview_job


def test_the_preview_job_computes_the_envelope_off_the_ui_thread(project):
    sample_id = int(project.sample_ids(SampleQuery())[0])

    result = preview_job(project, sample_id)(None, CancelToken())

    values = np.asarray(result.series.values)
    assert result.envelope is not None and result.envelope.values is values
    low, high = result.envelope.y_bounds
    assert low == np.nanmin(values) and high == np.nanmax(values)
