"""The one protocol every path through the product uses to reach samples, and its value types."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO, Optional, Protocol, Union, runtime_checkable

import numpy as np

from ei_desktop.core.edits import Change, ChangeSet, EditResult, Summary
from ei_desktop.core.model import SampleInfo, Sensor
from ei_desktop.core.progress import CancelToken, ProgressCallback
from ei_desktop.core.splitting import SplitOptions, SplitResult

#: columns a listing can be sorted by
SORT_KEYS: tuple[str, ...] = (
    "id",
    "filename",
    "label",
    "category",
    "kind",
    "length",
    "size",
    "frequency",
    "added",
)


#: how every backend (and Edge Impulse) starts the error of a refused duplicate upload
DUPLICATE_MESSAGE = "An item with this hash already exists"


class BackendError(Exception):
    """A backend could not do what was asked (bad key, server gone, unreadable project…)."""


class InvalidApiKey(BackendError):
    """The server refused the API key."""


class ServerUnreachable(BackendError):
    """No connection could be opened to the server (nothing listens, unknown host, no route).

    Attributes:
        results: for an upload that had started, the results of what was attempted before
            the server went away (stored samples included), else empty.
    """

    def __init__(self, message: str, results: Sequence[UploadResult] = ()) -> None:
        super().__init__(message)
        self.results = list(results)


class NotAProjectError(BackendError):
    """The folder is not a local project (and creating one was not asked for)."""


class DamagedProjectError(BackendError):
    """The project's database is missing, unreadable or corrupt; its content may still be
    there. Never cleaned: ``ei-desktop check --recover`` is the way out.
    """


class DiskFullError(BackendError):
    """The disk holding the project is full."""


class CorruptContentError(BackendError):
    """A sample's stored content no longer matches its hash."""


@dataclass(slots=True)
class UploadItem:
    """One file to store.

    Attributes:
        filename: the name as uploaded, with its extension (decides how it is read).
        source: the bytes, a path to read them from, or a callable returning a binary file.
        category: a category or ``split``.
        label: the label; ``None`` infers it from ``filename`` like the ingestion service;
            ``""`` stores the sample unlabeled.
        metadata: string key/value pairs, or ``None`` for none.
        bounding_boxes: ``[{"label","x","y","width","height"}, ...]`` or ``None``.
        structured_labels: ``[{"label","startIndex","endIndex"}, ...]`` or ``None``.
        key: anything the caller wants back on the matching :class:`UploadResult`.
        length: the content size when ``source`` is a callable and the caller knows it.
    """

    filename: str
    source: Union[bytes, str, os.PathLike, Callable[[], BinaryIO]]
    category: str = "split"
    label: Optional[str] = None
    metadata: Optional[dict] = None
    bounding_boxes: Optional[list] = None
    structured_labels: Optional[list] = None
    key: object = None
    length: Optional[int] = None

    def read(self, limit: Optional[int] = None) -> bytes:
        """The whole content, or its first ``limit + 1`` bytes when it is longer than ``limit``
        (so a caller can refuse an oversized file without reading all of it).
        """
        if isinstance(self.source, bytes):
            return self.source
        size = -1 if limit is None else limit + 1
        if callable(self.source):
            with self.source() as handle:
                return handle.read(size)
        # Unbuffered, and all of it when the file is within the limit: a buffered read of
        # ``limit + 1`` bytes first allocates that much (100 MB by default) for each file.
        with open(self.source, "rb", buffering=0) as handle:
            if limit is None or os.fstat(handle.fileno()).st_size <= limit:
                return handle.readall()
            return _read_up_to(handle, size)

    def open(self) -> BinaryIO:
        """A binary file object over the content (for streaming uploads)."""
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        if callable(self.source):
            return self.source()
        return open(self.source, "rb")

    def size(self) -> Optional[int]:
        """The content size when it is known without reading it."""
        if isinstance(self.source, bytes):
            return len(self.source)
        if isinstance(self.source, (str, os.PathLike)):
            return os.path.getsize(self.source)
        return self.length


def _read_up_to(handle: BinaryIO, size: int) -> bytes:
    """At most ``size`` bytes of an unbuffered file (its ``read`` may return fewer)."""
    pieces, left = [], size
    while left > 0:
        piece = handle.read(min(left, 1 << 24))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


@dataclass
class UploadResult:
    """What happened to one :class:`UploadItem`."""

    item: UploadItem
    success: bool
    sample_id: Optional[int] = None
    error: Optional[str] = None
    category: Optional[str] = None
    project_id: Optional[int] = None

    @property
    def filename(self) -> str:
        """The uploaded name."""
        return self.item.filename

    @property
    def duplicate(self) -> bool:
        """True when the upload was refused because the content is already in the project."""
        return not self.success and (self.error or "").startswith(DUPLICATE_MESSAGE)


#: the ``include_disabled`` choices of a query (Edge Impulse's ``includeDisabled``)
INCLUDE_DISABLED: tuple[str, ...] = ("enabled", "disabled", "both")


@dataclass(frozen=True)
class MetadataFilter:
    """One metadata condition of a query (an item of Edge Impulse's ``metadata`` filter).

    Attributes:
        key: the metadata key.
        op: ``"eq"`` keeps samples whose value for ``key`` is one of ``values`` (any value
            when ``values`` is empty: the key is present); ``"neq"`` keeps the others.
        values: the values to match; empty means any.
    """

    key: str
    op: str = "eq"
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.op not in ("eq", "neq"):
            raise ValueError(f"A metadata filter's op is 'eq' or 'neq', not {self.op!r}")
        if not isinstance(self.values, tuple):
            object.__setattr__(self, "values", tuple(self.values))


@dataclass(frozen=True)
class SampleQuery:
    """Which samples to list or change, and in which order.

    Every condition given must hold (they are combined with AND); ``None`` or empty means no
    condition. The conditions are Edge Impulse's list filters.

    Attributes:
        category: one category, or ``None`` for all.
        labels: keep samples whose label is one of these (``None`` or empty: any label).
        filename: keep samples whose stored name contains this text (case-insensitive).
        sort: one of :data:`SORT_KEYS`.
        descending: sort order; ties are broken by id in the same direction.
        ids: keep only these ids.
        exclude_ids: drop these ids.
        metadata: metadata conditions, all of which must hold (any one when
            ``metadata_any``).
        no_metadata: with ``metadata``, also keep samples that have no metadata at all.
        metadata_any: combine the ``metadata`` conditions with OR instead of AND.
        min_length_ms, max_length_ms: length bounds (min inclusive, max exclusive).
        min_frequency, max_frequency: frequency bounds in hertz (inclusive).
        min_date, max_date: when the sample was added (min inclusive, max exclusive).
        min_id, max_id: id bounds (min inclusive, max exclusive).
        include_disabled: ``"enabled"`` (the default, as Edge Impulse's SDK sees a project),
            ``"disabled"`` or ``"both"``.
        search: text found in the name or the label (case-insensitive).
        data_type: the kind of sample (``timeseries``, ``image``, ``audio``, ``video``…).
    """

    category: Optional[str] = None
    labels: Optional[tuple[str, ...]] = None
    filename: Optional[str] = None
    sort: str = "id"
    descending: bool = True
    ids: Optional[tuple[int, ...]] = None
    exclude_ids: Optional[tuple[int, ...]] = None
    metadata: tuple[MetadataFilter, ...] = ()
    no_metadata: bool = False
    metadata_any: bool = False
    min_length_ms: Optional[float] = None
    max_length_ms: Optional[float] = None
    min_frequency: Optional[float] = None
    max_frequency: Optional[float] = None
    min_date: Optional[datetime] = None
    max_date: Optional[datetime] = None
    min_id: Optional[int] = None
    max_id: Optional[int] = None
    include_disabled: str = "enabled"
    search: Optional[str] = None
    data_type: Optional[str] = None

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise ValueError(f"Cannot sort by {self.sort!r}; expected one of {SORT_KEYS}")
        if self.include_disabled not in INCLUDE_DISABLED:
            raise ValueError(
                f"include_disabled is one of {INCLUDE_DISABLED}, not {self.include_disabled!r}"
            )
        for name in ("labels", "ids", "exclude_ids", "metadata"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("ids", "exclude_ids"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(int(i) for i in value))

    @property
    def simple(self) -> bool:
        """True when only the category and label conditions are set (and enabled samples
        are asked for, or all), so counts can come from per-label totals.
        """
        same_order = SampleQuery(
            self.category,
            self.labels,
            sort=self.sort,
            descending=self.descending,
            include_disabled=self.include_disabled,
        )
        return self == same_order


def query_for_ids(ids: Iterable[int]) -> SampleQuery:
    """The query selecting exactly ``ids``, enabled or not."""
    return SampleQuery(ids=tuple(int(i) for i in ids), include_disabled="both")


@dataclass
class SampleRecord:
    """Everything a listing knows about one stored sample."""

    id: int
    filename: str
    category: str
    label: str
    kind: str
    sensors: list[Sensor]
    interval_ms: float
    values_count: int
    size: int
    added: datetime
    sha256: str = ""
    upload_name: str = ""
    device_type: str = ""
    device_name: Optional[str] = None
    metadata: Optional[dict] = None
    bounding_boxes: list = field(default_factory=list)
    structured_labels: Optional[list] = None
    width: Optional[int] = None
    height: Optional[int] = None
    cold_storage_name: str = ""
    disabled: bool = False

    @property
    def frequency_hz(self) -> float:
        """Readings per second (0 for images and video)."""
        return 1000.0 / self.interval_ms if self.interval_ms > 0 else 0.0

    @property
    def length_ms(self) -> float:
        """Duration of a time series or audio sample in milliseconds (0 otherwise)."""
        return self.interval_ms * self.values_count if self.kind in ("timeseries", "audio") else 0.0


@dataclass
class Series:
    """The values of a time-series, table or audio sample, for previews and downloads."""

    sensors: list[Sensor]
    values: np.ndarray  # rows × axes, float64
    interval_ms: float
    device_type: str = ""
    device_name: Optional[str] = None


@dataclass
class DownloadedSample:
    """A sample fetched for download: its record and its content.

    ``data`` is acquisition JSON text for time series (as the official SDK returns it) and the
    stored bytes for images, audio and video; ``filename`` is the name the SDK would give it.
    """

    record: SampleRecord
    data: Union[str, bytes]
    filename: str


@dataclass
class DownloadFailure:
    """A sample that exists (or may) but could not be fetched; ``error`` says why."""

    sample_id: int
    error: str


@runtime_checkable
class Backend(Protocol):
    """A project: a local folder or an Edge Impulse (compatible) server.

    Every method is safe to call from any thread. Long operations report through
    ``progress`` and stop early when ``cancel`` is triggered, returning what was done.
    """

    #: a short description for titles and logs (a folder path or a server URL)
    description: str

    # -- the connection ----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called (the backend must not be used any more)."""
        ...

    @property
    def name(self) -> str:
        """The project's own name, for titles; empty where the backend does not keep one
        (Edge Impulse is known by :meth:`project_id`).
        """
        ...

    def with_options(
        self, *, timeout_sec: Optional[float] = None, max_workers: Optional[int] = None
    ) -> Backend:
        """The backend with another request timeout or concurrency for one call (the SDK's
        ``timeout_sec``/``max_workers``); the same backend where these mean nothing.
        """
        ...

    def close(self) -> None:
        """Release connections and threads."""
        ...

    def project_id(self) -> int:
        """The project's numeric id."""
        ...

    # -- writes ------------------------------------------------------------------------------

    def upload(
        self,
        items: Sequence[UploadItem],
        *,
        allow_duplicates: bool = False,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
        on_result: Optional[Callable[[UploadResult], None]] = None,
    ) -> list[UploadResult]:
        """Store ``items``; one result per attempted item, in order. Never raises for one bad
        item; stops between items when cancelled (unattempted items get no result).

        With ``on_result``, each result is handed to it instead (in order, as soon as it is
        known where the backend can) and the returned list, like a ``ServerUnreachable``'s
        ``results``, is empty: a caller that only counts holds no result per item.
        """
        ...

    def delete(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[bool]:
        """Delete samples; ``False`` where an id did not exist. Input order."""
        ...

    def delete_all(self, category: Optional[str] = None) -> int:
        """Delete every sample (of one category); returns how many were deleted."""
        ...

    # -- curation (see :mod:`ei_desktop.core.edits`) ------------------------------------------

    def edit(self, selection: SampleQuery, change: Change) -> EditResult:
        """Apply ``change`` to every sample ``selection`` selects (its sort is ignored), as one
        step of the project's history. All or nothing.

        Raises:
            InvalidEditError: the change cannot be applied (nothing was changed).
        """
        ...

    def crop(self, sample_id: int, start: int, end: int) -> EditResult:
        """Keep only values ``start`` up to but not including ``end`` of a time-series or
        audio sample (``matched`` is 0 for an unknown id). The original content is kept
        for undo.

        Raises:
            InvalidEditError: the range is empty or outside the sample, or it has no values.
        """
        ...

    def segment(self, sample_id: int, segments_ms: Sequence[tuple[float, float]]) -> EditResult:
        """Split a time-series or audio sample into the half-open millisecond ranges
        ``segments_ms``: each becomes a new sample with the original's label, category and
        metadata, named ``<name>.s1``, ``<name>.s2``…; the original is removed.
        ``created`` lists the new ids in range order.

        Raises:
            InvalidEditError: a range is empty or outside the sample, or it has no values.
        """
        ...

    def summary(self) -> Summary:
        """Counts and durations per category and label (cheap at any size)."""
        ...

    def split(self, options: SplitOptions, *, dry_run: bool = False) -> SplitResult:
        """Divide the samples of training, testing and validation between them as
        ``options`` ask (see :mod:`ei_desktop.core.splitting`), as one step of the history;
        with ``dry_run``, only say what would happen.

        Raises:
            InvalidEditError: the options cannot be met.
        """
        ...

    def metadata_values(self) -> dict[str, list[str]]:
        """Every metadata key of the project with its distinct values, sorted."""
        ...

    def history(self, limit: int = 50) -> list[ChangeSet]:
        """The latest changes, newest first (undone ones included, flagged)."""
        ...

    def undo(self) -> ChangeSet:
        """Revert the latest change that is not undone, as one step.

        Raises:
            NothingToUndo: there is none.
            CannotUndo: it cannot be reverted here (what was done stays done).
        """
        ...

    def redo(self) -> ChangeSet:
        """Apply again the change undone last (only until another change is made).

        Raises:
            NothingToUndo: there is nothing to redo.
        """
        ...

    # -- reads -------------------------------------------------------------------------------

    def count(self, query: SampleQuery) -> int:
        """How many samples match ``query``."""
        ...

    def label_counts(self) -> dict[tuple[str, str], int]:
        """Sample counts per (category, label); a sample with several labels (label
        segments, bounding boxes) counts under each (see ``core.labels.sample_labels``).
        """
        ...

    def category_counts(self) -> dict[str, int]:
        """Sample counts per category, each sample once."""
        ...

    def list_samples(
        self, query: SampleQuery, *, offset: int = 0, limit: int = 100
    ) -> list[SampleRecord]:
        """One page of matching samples in the query's order."""
        ...

    def iter_samples(self, query: SampleQuery, *, page_size: int = 1000) -> Iterator[SampleRecord]:
        """Every matching sample in the query's order, fetched page by page."""
        ...

    def sample_infos(self, query: SampleQuery) -> list[SampleInfo]:
        """Id, stored name, category and label of every match, in query order."""
        ...

    def sample_ids(self, query: SampleQuery) -> np.ndarray:
        """The ids of every matching sample in the query's order (int64)."""
        ...

    def get_samples(self, ids: Iterable[int]) -> dict[int, SampleRecord]:
        """Records for the ids that exist."""
        ...

    def get_sample(self, sample_id: int) -> Optional[SampleRecord]:
        """One record, or ``None`` if there is no such sample."""
        ...

    def load_series(self, sample_id: int) -> Optional[Series]:
        """The values of a time-series, table or audio sample (``None`` if missing or media)."""
        ...

    def load_bytes(self, sample_id: int) -> Optional[bytes]:
        """The stored content of a sample as uploaded (``None`` if missing)."""
        ...

    def open_content(self, sample_id: int) -> Optional[BinaryIO]:
        """The stored content as a binary file at its start, for streaming large samples
        (``None`` if missing); the caller closes it.
        """
        ...

    def download(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Union[DownloadedSample, DownloadFailure, None]]:
        """Fetch samples for download, in input order: ``None`` where an id does not exist,
        a :class:`DownloadFailure` where fetching failed (the rest of the batch goes on).
        """
        ...
