"""Drop-in replacement for ``edgeimpulse.data``: upload, list, download and delete samples.

Works on a local project with no account (the default) or on Edge Impulse when an API key is
configured. See :mod:`ei_desktop.core.data` for the differences from the official SDK.
"""

from ei_desktop.core.data import (
    delete_all_samples,
    delete_sample_by_id,
    delete_samples_by_filename,
    download_samples_by_ids,
    get_filename_by_id,
    get_sample_ids,
    infer_category_and_label_from_filename,
    infer_from_filename,
    numpy_timeseries_to_sample,
    pandas_dataframe_to_sample,
    stream_samples_by_ids,
    upload_directory,
    upload_exported_dataset,
    upload_numpy,
    upload_pandas_dataframe,
    upload_pandas_dataframe_wide,
    upload_pandas_dataframe_with_group,
    upload_pandas_sample,
    upload_plain_directory,
    upload_samples,
)
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
