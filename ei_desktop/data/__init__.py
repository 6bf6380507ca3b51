"""Drop-in replacement for ``edgeimpulse.data``: upload, list, download and delete samples, on a
local project with no account (the default) or on Edge Impulse when an API key is configured.

The public functions have the official names, parameters, defaults and return types. They are a
face over :mod:`ei_desktop.ops` (folder uploads share its one rule set) and read the
SDK-compatible settings ``ei_desktop.API_KEY``, ``API_ENDPOINT`` and ``INGESTION_ENDPOINT`` when
they are called. Differences from the official SDK 1.0.20, all fixes of its documented quirks:

- one bad file never aborts a batch: every sample gets its own success or failure;
- nothing of the caller's is mutated except ``Sample.sample_id`` after a successful upload
  (DataFrames, categories and bounding boxes are left alone);
- ``label=""`` stores a sample unlabeled, ``metadata={}`` is kept, ``filename=None`` gets a
  random name with an extension guessed from the content;
- ``api_key`` is honoured by every function; labels, metadata and queries are encoded safely;
- directory uploads accept ``.jpeg``/``.txt`` and upper-case extensions, apply
  ``bounding_boxes.labels`` and ``structured_labels.labels`` companions, detect category folders
  by whole folder names, and return an empty response (not ``None``) when there is nothing;
- ``delete_samples_by_filename`` deletes exact name matches only (not every name containing it);
- downloads skip missing samples and report unreadable ones without aborting the batch.

Every function also takes keyword-only ``progress`` (a callable receiving
:class:`~ei_desktop.core.progress.Progress`), ``cancel`` (a
:class:`~ei_desktop.core.progress.CancelToken`) where the work is long, and ``project`` (a
local project folder or a backend) to act on something other than the configured default.
"""

from ei_desktop.core.model import (
    DataAcquisition,
    GenericApiResponse,
    Payload,
    Protected,
    Sample,
    SampleInfo,
    SampleIngestionResponse,
    Sensor,
    UploadSamplesResponse,
)
from ei_desktop.core.progress import CancelToken, Progress
from ei_desktop.data.delete import (
    delete_all_samples,
    delete_sample_by_id,
    delete_samples_by_filename,
)
from ei_desktop.data.download import download_samples_by_ids, stream_samples_by_ids
from ei_desktop.data.upload import upload_samples
from ei_desktop.data.upload_files import (
    infer_category_and_label_from_filename,
    infer_from_filename,
    upload_directory,
    upload_exported_dataset,
    upload_plain_directory,
)
from ei_desktop.data.upload_numpy import numpy_timeseries_to_sample, upload_numpy
from ei_desktop.data.upload_pandas import (
    pandas_dataframe_to_sample,
    upload_pandas_dataframe,
    upload_pandas_dataframe_wide,
    upload_pandas_dataframe_with_group,
    upload_pandas_sample,
)
from ei_desktop.data.util import get_filename_by_id, get_sample_ids

__all__ = [
    "delete_all_samples",
    "get_sample_ids",
    "delete_sample_by_id",
    "delete_samples_by_filename",
    "get_filename_by_id",
    "upload_samples",
    "upload_exported_dataset",
    "upload_directory",
    "upload_plain_directory",
    "upload_pandas_dataframe",
    "upload_pandas_dataframe_wide",
    "upload_pandas_sample",
    "upload_pandas_dataframe_with_group",
    "pandas_dataframe_to_sample",
    "upload_numpy",
    "numpy_timeseries_to_sample",
    "download_samples_by_ids",
    "stream_samples_by_ids",
    "infer_from_filename",
    "infer_category_and_label_from_filename",
    "Sample",
    "Sensor",
    "Payload",
    "Protected",
    "DataAcquisition",
    "SampleInfo",
    "SampleIngestionResponse",
    "UploadSamplesResponse",
    "GenericApiResponse",
    "CancelToken",
    "Progress",
]
