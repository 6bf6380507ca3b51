"""Edge Impulse over HTTP: the Studio API and the ingestion service, or any server that speaks
them (``ei-desktop serve``).

One pooled ``requests`` session per backend. Reads and deletes are retried by urllib3 with
exponential back-off; a server asking to slow down (429, 503) pauses every request of the
backend for its ``Retry-After`` (:mod:`studio_rate`). Over the standard API, listing pages
are read on up to ``READ_CONNECTIONS`` connections and samples (one request each) on up to
``SAMPLE_CONNECTIONS``, like the official SDK's pool. An upload is retried only when
duplicates are refused, so a retry can never store a sample twice; if the first attempt did
land, the retry's "already exists" answer is recognised (its id is newer than the upload's
start) and reported as the success it was. Several files go in one ingestion request; uploads
stream from disk.

A server no connection can be opened to (refused, unknown host) ends the whole operation at
once with :class:`ServerUnreachable`: retrying file by file cannot fix it. Only a server that
answered earlier in the same upload gets a grace period to come back (a restart).

Cancelling stops the claiming of new requests; requests in flight finish and are reported.
"""

from __future__ import annotations

import copy
import gc
import io
import itertools
import json
import os
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, BinaryIO, Optional, Union
from urllib.parse import quote, urlsplit

import numpy as np
import orjson
import requests
from requests.adapters import HTTPAdapter
from requests_toolbelt.multipart.encoder import MultipartEncoder
from urllib3.exceptions import (
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
)
from urllib3.util.retry import Retry

from ei_desktop.core import about, formats, naming
from ei_desktop.core import labels as companion
from ei_desktop.core.backends import studio_edits, studio_split
from ei_desktop.core.backends.base import (
    DUPLICATE_MESSAGE,
    BackendError,
    DownloadedSample,
    DownloadFailure,
    InvalidApiKey,
    SampleQuery,
    SampleRecord,
    Series,
    ServerUnreachable,
    UploadItem,
    UploadResult,
)
from ei_desktop.core.backends.studio_query import by_id_chunks, filter_params
from ei_desktop.core.backends.studio_rate import RATE_LIMITED, RateGate
from ei_desktop.core.edits import Change, ChangeSet, EditResult, Summary
from ei_desktop.core.labels import LabelError, normalize_label, normalize_metadata
from ei_desktop.core.model import SampleInfo, Sensor
from ei_desktop.core.progress import CancelToken, ProgressCallback, Tracker, is_cancelled
from ei_desktop.core.splitting import SplitOptions, SplitResult

PAGE = 1000
#: samples per listing page when pages follow the last id seen (each costs the same)
AFTER_ID_PAGE = 10_000
#: ids per batch request, and per download step (cancel is checked between steps)
BATCH_IDS = 100
DOWNLOAD_CHUNK = 400
#: time series bigger than this (bytes as uploaded) are downloaded as their file from a server
#: with the batch extension, and their values written here
BIG_SERIES = 8 * 1024 * 1024
#: one ingestion request carries at most this many files / bytes
BATCH_FILES = 50
BATCH_BYTES = 16 * 1024 * 1024
#: default (connect, read) timeouts in seconds
DEFAULT_TIMEOUT = (10.0, 120.0)
UPLOAD_ATTEMPTS = 6
#: how long a server that answered earlier in an upload may refuse connections (a restart)
#: before the upload gives up on it
OUTAGE_GRACE = 30.0
RETRYABLE_STATUS = (429, 500, 502, 503, 504)
#: parallel reads where the standard API needs one request per sample or page: as many as
#: the official SDK's pool on an 8-core machine (min(32, cores + 4)), and a few more
READ_CONNECTIONS = 16
#: parallel requests where a download needs one per sample: the most the official SDK's pool
#: opens (min(32, cores + 4)). Each is small and waits a round trip, so through a real link
#: the requests in flight set the speed (at 50 ms, 32 in flight: up to 640 samples/s)
SAMPLE_CONNECTIONS = 32
_RECORD_CACHE = 50_000
_MIME = {
    ".json": "application/json",
    ".cbor": "application/cbor",
    ".csv": "text/csv",
    ".txt": "text/csv",
    ".wav": "audio/wav",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".mp4": "video/mp4",
    ".avi": "video/x-msvideo",
}
_MEDIA = ("image", "video", "audio")


class _Refused(Exception):
    """An upload request that never reached the server: no connection could be opened."""


class _Reachability:
    """Connection failures seen by one upload, judged for the whole run rather than per file.

    A server that never answered during the run is gone: the run ends at the first refusal.
    One that answered before and now refuses is probably restarting: its refusals are retried
    until it has refused for :data:`OUTAGE_GRACE` seconds in a row.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answered = False
        self._refused_since: Optional[float] = None
        #: the message the run ended with, once it gave up on the server
        self.gone: Optional[str] = None

    def answered(self) -> None:
        """Note that the server answered a request."""
        with self._lock:
            self._answered = True
            self._refused_since = None

    def may_retry(self, message: str) -> bool:
        """Note a refused connection; False once the run should give up (``gone`` set)."""
        with self._lock:
            if self.gone is not None:
                return False
            now = time.monotonic()
            if self._refused_since is None:
                self._refused_since = now
            if not self._answered or now - self._refused_since > OUTAGE_GRACE:
                self.gone = message
                return False
            return True


class _Retryable(Exception):
    """A request that may be tried again (connection lost, 429, 5xx)."""

    def __init__(self, message: str, retry_after: Optional[float] = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass
class _Batch:
    """Items sent together: they share category, label and metadata (request headers)."""

    category: str
    label: Optional[str]
    metadata: Optional[str]
    items: list[tuple[int, UploadItem]]


@dataclass
class _Converted:
    """One listing page: its sample ids and its samples as converted."""

    ids: np.ndarray
    items: list


class StudioBackend:
    """A project on Edge Impulse (or a compatible server), reached with its API key.

    With ``extensions`` (the default) it also uses what ``ei-desktop serve`` adds to the API
    where a server offers it: ``POST …/raw-data/batch`` (many samples per request) and
    ``fields=`` on listings (only the fields asked for). Against Edge Impulse itself it notices
    their absence on the first try and keeps to the standard endpoints.
    """

    def __init__(
        self,
        api_key: str,
        api_endpoint: str = about.DEFAULT_API_ENDPOINT,
        ingestion_endpoint: str = about.DEFAULT_INGESTION_ENDPOINT,
        *,
        timeout: Optional[float] = None,
        max_workers: Optional[int] = None,
        read_workers: Optional[int] = None,
        extensions: bool = True,
    ) -> None:
        if not api_key:
            raise InvalidApiKey("An API key is needed to reach Edge Impulse")
        self.api_key = api_key
        self.api_endpoint = api_endpoint.rstrip("/")
        self.ingestion_endpoint = ingestion_endpoint.rstrip("/")
        self.description = self.api_endpoint
        self._timeout: Union[float, tuple[float, float]] = timeout or DEFAULT_TIMEOUT
        self._workers = max_workers or 4
        #: requests in flight for reads done one per sample or page (download, listing)
        self._read_workers = read_workers or max_workers or READ_CONNECTIONS
        #: requests in flight for downloads done one request per sample
        self._sample_workers = read_workers or max_workers or SAMPLE_CONNECTIONS
        #: shared by every request (and every view of the backend): pauses on a 429/503
        self._gate = RateGate()
        self._project_id: Optional[int] = None
        self._project_lock = threading.Lock()
        self._records: OrderedDict[int, SampleRecord] = OrderedDict()
        #: whether the server offers ``POST …/raw-data/batch`` (None: not asked yet)
        self._batch_supported: Optional[bool] = None if extensions else False
        #: use ei-desktop's extensions of the API where a server offers them
        self.extensions = extensions
        #: whether listings may page by last-seen id (``afterId``; None: not known yet)
        self._paging_after_id: Optional[bool] = None if extensions else False
        self._records_lock = threading.Lock()
        #: whether the server offers ``GET …/raw-data/metadata-filter-options``
        self._filter_options_supported: Optional[bool] = None
        #: whether it offers the ei-desktop extension ``GET …/raw-data/label-counts``
        self._label_counts_supported: Optional[bool] = None if extensions else False
        #: whether it offers ``GET …/raw-data/project-metadata`` with per-label counts
        self._project_metadata_supported: Optional[bool] = None
        #: the changes made through this backend in this session (shared by its views)
        self._journal = studio_edits.Journal()
        self._closed = False
        self._session = self._new_session(_retry({"GET", "HEAD", "DELETE"}))
        # POSTs that can be sent twice without harm (set a label, a category…)
        self._retrying_session = self._new_session(_retry({"GET", "HEAD", "DELETE", "POST"}))
        # Uploads are retried by hand (see upload); urllib3 only retries failed connects.
        self._upload_session = self._new_session(
            _NoRetryWhenRefused(total=2, connect=2, read=0, status=0, other=0)
        )

    def _new_session(self, retry: Retry) -> requests.Session:
        session = requests.Session()
        # Reading proxy and CA settings from the environment costs ~0.4 ms per request (over
        # 1 ms with many variables set); skip it when the environment sets none of them, and
        # when it only names a CA bundle, take that once here.
        session.trust_env = _environment_configures_requests()
        bundle = _ca_bundle_only()
        if bundle is not None:
            session.trust_env = False
            session.verify = bundle
        adapter = HTTPAdapter(
            pool_connections=4,
            pool_maxsize=max(32, self._read_workers, self._sample_workers, self._workers),
            max_retries=retry,
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update(
            {"x-api-key": self.api_key, "User-Agent": f"ei-desktop/{about.VERSION}"}
        )
        return session

    def with_options(
        self,
        *,
        timeout_sec: Optional[float] = None,
        max_workers: Optional[int] = None,
    ) -> StudioBackend:
        """A view of the backend with another timeout or concurrency for one call (the SDK's
        ``timeout_sec``/``max_workers`` arguments); connection pools and caches are shared.
        """
        if not timeout_sec and not max_workers:
            return self
        view = copy.copy(self)
        if timeout_sec:
            view._timeout = timeout_sec
        if max_workers:
            view._workers = view._read_workers = view._sample_workers = max(1, int(max_workers))
        return view

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def name(self) -> str:
        """Empty: titles name an Edge Impulse project by its id."""
        return ""

    def close(self) -> None:
        """Close the connection pools."""
        self._closed = True
        self._session.close()
        self._retrying_session.close()
        self._upload_session.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _url(self, *parts: Union[str, int]) -> str:
        return "/".join([self.api_endpoint, *(quote(str(p), safe="") for p in parts)])

    def _request(
        self, method: str, url: str, *, retry_post: bool = False, **kwargs
    ) -> requests.Response:
        """Send a request; ``retry_post`` retries a POST like a GET (for POSTs that change
        nothing more when sent twice). Other POSTs are retried only when no connection
        could be opened.
        """
        kwargs.setdefault("timeout", self._timeout)
        session = self._retrying_session if retry_post else self._session
        # a 429 was not acted on: any request may be sent again; a 503 only those that may
        # be sent twice
        idempotent = retry_post or method.upper() in ("GET", "HEAD", "DELETE")
        for attempt in itertools.count():
            self._gate.wait()
            try:
                response = session.request(method, url, **kwargs)
            except requests.RequestException as exc:
                host = urlsplit(url).netloc
                if _cannot_connect(exc):
                    raise ServerUnreachable(_unreachable_message(url, exc)) from exc
                raise BackendError(f"Cannot reach {host}: {_reason(exc)}") from exc
            status = response.status_code
            if (status == 429 or idempotent) and self._gate.pause_after(
                status, _retry_after(response), attempt
            ):
                response.close()
                continue
            break
        if response.status_code == 401:
            raise InvalidApiKey(_error_of(response) or "Invalid API key")
        return response

    def _json(self, method: str, url: str, **kwargs) -> dict:
        response = self._request(method, url, **kwargs)
        if response.status_code != 200:
            raise BackendError(
                f"{response.status_code} from {urlsplit(url).path}: "
                f"{_error_of(response) or response.reason}"
            )
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError as exc:
            raise BackendError(f"{urlsplit(url).path} did not answer JSON") from exc
        if not isinstance(body, dict):
            raise BackendError(
                f"{urlsplit(url).path} answered {type(body).__name__}, not an object"
            )
        return body

    def project_id(self) -> int:
        """The project the key belongs to (looked up once)."""
        with self._project_lock:
            if self._project_id is None:
                body = self._json("GET", self._url("api", "projects"))
                projects = body.get("projects") or []
                if not body.get("success", False) or not projects:
                    raise InvalidApiKey(body.get("error") or "This API key has no project")
                self._project_id = int(projects[0]["id"])
            return self._project_id

    def _raw(self, *parts: Union[str, int]) -> str:
        return self._url("api", self.project_id(), "raw-data", *parts)

    # -- upload ------------------------------------------------------------------------------

    def upload(
        self,
        items: Sequence[UploadItem],
        *,
        allow_duplicates: bool = False,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
        on_result: Optional[Callable[[UploadResult], None]] = None,
    ) -> list[UploadResult]:
        """Send ``items`` in multi-file ingestion requests; one result per attempted item
        (handed to ``on_result`` at the end instead, when given: see :meth:`Backend.upload`).

        When ``cancel`` is triggered no new request starts; requests in flight finish and
        their items are reported, items never sent get no result.

        Raises:
            ServerUnreachable: no connection could be opened to the server; its ``results``
                hold what was attempted before (nothing when it was unreachable from the start).
        """
        done, gone = self._upload(list(items), allow_duplicates, progress, cancel)
        if on_result is not None:
            for result in done:
                on_result(result)
            done = []
        if gone is not None:
            raise ServerUnreachable(gone, done)
        return done

    def _upload(
        self,
        items: list[UploadItem],
        allow_duplicates: bool,
        progress: Optional[ProgressCallback],
        cancel: Optional[CancelToken],
    ) -> tuple[list[UploadResult], Optional[str]]:
        """The results of :meth:`upload`, and why the server went away when it did."""
        tracker = Tracker(progress, len(items))
        results: list[Optional[UploadResult]] = [None] * len(items)
        batches = list(self._batches(items, results, tracker))
        if not batches:
            return [r for r in results if r is not None], None
        try:
            newest_before = None if allow_duplicates else self._newest_id()
            project = self.project_id()
        except InvalidApiKey as exc:
            for batch in batches:
                for index, item in batch.items:
                    results[index] = UploadResult(item, False, error=str(exc))
                    tracker.step(results[index])
            return [r for r in results if r is not None], None
        reach = _Reachability()

        def send(number: int) -> None:
            sent = self._send(batches[number], allow_duplicates, newest_before, cancel, reach)
            for index, result in sent:
                result.project_id = result.project_id or project
                results[index] = result
                tracker.step(result)

        _in_order(
            send,
            len(batches),
            self._workers,
            stop=lambda: is_cancelled(cancel) or reach.gone is not None,
        )
        done = [r for r in results if r is not None]
        studio_edits.record_upload(self._journal, sum(1 for r in done if r.success))
        return done, reach.gone

    def _batches(
        self, items: list[UploadItem], results: list, tracker: Tracker
    ) -> Iterator[_Batch]:
        groups: dict[tuple, _Batch] = {}
        sizes: dict[tuple, int] = {}
        for index, item in enumerate(items):
            try:
                category = naming.check_category(item.category)
                metadata = normalize_metadata(item.metadata)
                label = None if item.label is None else normalize_label(item.label)
            except (ValueError, LabelError) as exc:
                results[index] = UploadResult(item, False, error=str(exc))
                tracker.step(results[index])
                continue
            header = None if metadata is None else json.dumps(metadata)
            key = (category, label, header)
            try:
                size = item.size() or 0
            except OSError:
                size = 0
            batch = groups.get(key)
            names = {i.filename for _, i in batch.items} if batch else set()
            if batch is None or (
                len(batch.items) >= BATCH_FILES
                or sizes[key] + size > BATCH_BYTES
                or item.filename in names
            ):
                if batch is not None:
                    yield batch
                batch = groups[key] = _Batch(category, label, header, [])
                sizes[key] = 0
            batch.items.append((index, item))
            sizes[key] += size
        yield from groups.values()

    def _send(
        self,
        batch: _Batch,
        allow_duplicates: bool,
        newest_before: Optional[int],
        cancel: Optional[CancelToken],
        reach: _Reachability,
    ) -> list[tuple[int, UploadResult]]:
        """Post one batch, retrying what a retry can fix; no results when it was never sent."""
        retried = False
        last_error = "not sent"
        attempt = refusals = 0
        waiter = cancel or CancelToken()  # waits that a cancel cuts short
        while attempt < UPLOAD_ATTEMPTS:
            if is_cancelled(cancel):
                return [] if attempt == 0 else _failed(batch, last_error)
            try:
                entries = self._post_files(batch, allow_duplicates)
            except _Refused as exc:
                # nothing reached the server, so a retry cannot store a second copy
                if not reach.may_retry(str(exc)):
                    if attempt == 0:
                        return []
                    return _failed(batch, f"{last_error} (it may have been stored before that)")
                refusals += 1
                waiter.wait(min(2.0, 0.25 * 2**refusals))
                continue
            except _Retryable as exc:
                reach.answered()
                last_error = str(exc)
                if allow_duplicates and exc.retry_after is None:
                    break  # the server may have stored it: never risk a second copy
                retried = True
                delay = (
                    exc.retry_after if exc.retry_after is not None else min(8.0, 0.5 * 2**attempt)
                )
                attempt += 1
                waiter.wait(delay)
                continue
            except BackendError as exc:  # including a refused key: fail the batch, keep going
                reach.answered()
                return _failed(batch, str(exc))
            reach.answered()
            return [
                (index, self._result(item, entry, retried, newest_before, batch.category))
                for (index, item), entry in zip(batch.items, entries)
            ]
        return _failed(batch, last_error)

    def _post_files(self, batch: _Batch, allow_duplicates: bool) -> list[dict]:
        url = f"{self.ingestion_endpoint}/api/{quote(batch.category, safe='')}/files"
        headers = {"x-upload-source": "EI_DESKTOP"}
        if not allow_duplicates:
            headers["x-disallow-duplicates"] = "1"
        if batch.label == "":
            headers.update({"x-no-label": "1", "x-label": ""})
        elif batch.label is not None:
            headers["x-label"] = quote(batch.label, safe="")
        if batch.metadata is not None:
            headers["x-metadata"] = batch.metadata
        handles = []
        fields: list[tuple[str, tuple]] = []
        boxes: dict[str, Any] = {}
        structured: dict[str, Any] = {}
        try:
            for _, item in batch.items:
                handle = item.open()
                handles.append(handle)
                mime = _MIME.get(formats.extension_of(item.filename), "application/octet-stream")
                fields.append(("data", (item.filename, _part_body(item, handle), mime)))
                if item.bounding_boxes is not None:
                    value = item.bounding_boxes
                    boxes[item.filename] = json.loads(value) if isinstance(value, str) else value
                if item.structured_labels is not None:
                    structured[item.filename] = item.structured_labels
            if boxes:
                fields.append(_companion_part(companion.BOUNDING_BOXES_FILE, boxes))
            if structured:
                fields.append(_companion_part(companion.STRUCTURED_LABELS_FILE, structured))
            body = MultipartEncoder(fields=fields)
            headers["Content-Type"] = body.content_type
            try:
                response = self._upload_session.post(
                    url, data=body, headers=headers, timeout=self._timeout
                )
            except (
                requests.ConnectionError,
                requests.Timeout,
                # the answer broke off (the upload may have landed): retried, duplicates refused
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                if _cannot_connect(exc):
                    raise _Refused(_unreachable_message(url, exc)) from exc
                raise _Retryable(f"Connection to the server failed: {_reason(exc)}") from exc
            except (OSError, ValueError) as exc:
                raise BackendError(f"Cannot read the file to send: {exc}") from exc
        except OSError as exc:
            raise BackendError(f"Cannot read the file: {exc.strerror or exc}") from exc
        finally:
            for handle in handles:
                handle.close()
        if response.status_code == 401:
            raise InvalidApiKey(_error_of(response) or "Invalid API key")
        if response.status_code in RETRYABLE_STATUS:
            retry_after = _retry_after(response)
            message = _error_of(response) or f"The server answered {response.status_code}"
            if response.status_code == 429 or retry_after is not None:
                raise _Retryable(message, retry_after if retry_after is not None else 1.0)
            raise _Retryable(message)
        if response.status_code != 200:
            raise BackendError(_error_of(response) or f"The server answered {response.status_code}")
        try:
            files = response.json().get("files")
        except (ValueError, AttributeError) as exc:
            raise BackendError("The ingestion service did not answer JSON") from exc
        if not isinstance(files, list) or len(files) != len(batch.items):
            raise BackendError(
                f"The ingestion service listed {len(files) if isinstance(files, list) else 0} "
                f"results for {len(batch.items)} files"
            )
        return files

    def _result(
        self,
        item: UploadItem,
        entry: dict,
        retried: bool,
        newest_before: Optional[int],
        category: str,
    ) -> UploadResult:
        if entry.get("success"):
            return UploadResult(
                item,
                True,
                sample_id=entry.get("sampleId"),
                category=entry.get("category") or (None if category == naming.SPLIT else category),
                project_id=entry.get("projectId"),
            )
        error = str(entry.get("error") or "The server refused the file")
        if retried and newest_before is not None and error.startswith(DUPLICATE_MESSAGE):
            # an earlier attempt of this very request landed before the connection broke
            ours = [i for i in _ids_in(error) if i > newest_before]
            if ours:
                return UploadResult(item, True, sample_id=max(ours), category=None)
        return UploadResult(item, False, error=error)

    def _newest_id(self) -> Optional[int]:
        """The highest sample id now, disabled samples included (to recognise a retried
        upload's own earlier copy, or the samples a split created).
        """
        params = {"category": "all", "includeDisabled": "both", "limit": 1, "offset": 0}
        try:
            body = self._json("GET", self._raw(), params=params)
        except (InvalidApiKey, ServerUnreachable):
            raise
        except BackendError:
            return None
        samples = body.get("samples") or []
        return int(samples[0]["id"]) if samples else 0

    # -- listing -----------------------------------------------------------------------------

    def _params(self, query: SampleQuery) -> dict:
        """Every condition of ``query`` and its order, as list parameters."""
        params = filter_params(query)
        if query.sort != "id" or not query.descending:
            params["sortBy"] = f"{query.sort}-{'desc' if query.descending else 'asc'}"
        return params

    def count(self, query: SampleQuery) -> int:
        """How many samples match (one request; one per 500 ids of an id condition)."""
        if query.ids == ():
            return 0
        total = 0
        for part in by_id_chunks(query):
            params = self._params(part)
            params.pop("sortBy", None)
            body = self._json("GET", self._raw("count"), params=params)
            total += int(body.get("count") or 0)
        return total

    def _page(
        self,
        query: SampleQuery,
        offset: int,
        limit: int,
        *,
        mode: str = "full",
        after_id: Optional[int] = None,
    ) -> list[dict]:
        """One page of sample objects: ``full``; ``light`` without sensors; ``info``: only
        id, name, category and label are needed. ``after_id``: the page after that id (only
        where the server offers ``afterId``).
        """
        return self._page_body(query, offset, limit, mode=mode, after_id=after_id)["samples"]

    def _page_body(
        self,
        query: SampleQuery,
        offset: int,
        limit: int,
        *,
        mode: str = "full",
        after_id: Optional[int] = None,
        columns: bool = False,
    ) -> dict:
        """The answer of one listing page (see :meth:`_page`), its ``samples`` a list;
        ``columns``: ask for the page as one array per field (mode ``info`` only), which
        ei-desktop servers answer as ``columns`` instead of ``samples``.
        """
        if query.ids == ():
            return {"samples": []}
        params = {**self._params(query), "limit": int(limit), "offset": int(offset)}
        if mode != "full":
            params["excludeSensors"] = "true"
        if mode == "info" and self.extensions:
            # ei-desktop servers then send just these fields, others ignore the hint and send
            # whole samples without sensors
            params["fields"] = "id,filename,category,label"
            if columns:
                params["columns"] = "true"
        if after_id is not None:
            params["afterId"] = int(after_id)
        body = self._json("GET", self._raw(), params=params)
        if columns and isinstance(body.get("columns"), dict):
            return body
        body.pop("columns", None)
        body["samples"] = body.get("samples") or []
        if not isinstance(body["samples"], list):
            raise BackendError("The server listed samples in an unexpected shape")
        return body

    def list_samples(
        self, query: SampleQuery, *, offset: int = 0, limit: int = 100
    ) -> list[SampleRecord]:
        """One page, by offset."""
        records = [_record(s) for s in self._page(query, offset, limit)]
        self._remember(records)
        return records

    def _everything(
        self,
        query: SampleQuery,
        *,
        mode: str = "full",
        convert: Optional[Callable[[dict], Any]] = None,
    ) -> list:
        """Every match as the server's sample objects (or what ``convert`` makes of each):
        page after page by last-seen id where the server offers that (each page converted
        while the next one is fetched), else the count, then pages by offset in parallel.
        """
        convert = convert or _same
        first = None
        if query.sort == "id" and self._paging_after_id is not False:
            converted, first = self._after_id_pages(query, mode, convert)
            if converted is not None:
                return converted
        with _no_cycle_collection():
            return self._offset_pages(query, mode, convert, first)

    def _converted_page(
        self,
        query: SampleQuery,
        offset: int,
        limit: int,
        mode: str,
        convert: Callable[[dict], Any],
        after_id: Optional[int] = None,
    ) -> _Converted:
        """One listing page through ``convert``: for ``SampleInfo``s (``_info`` of mode
        ``info``) asked as columns, which ei-desktop servers send and read at a third of the
        cost of sample objects.
        """
        columns = mode == "info" and convert is _info
        body = self._page_body(query, offset, limit, mode=mode, after_id=after_id, columns=columns)
        return _converted(body, convert)

    def _offset_pages(
        self,
        query: SampleQuery,
        mode: str,
        convert: Callable[[dict], Any],
        first: Optional[_Converted] = None,
    ) -> list:
        """Every match by offset pages (the standard API), through ``convert``: the count and
        the first page (unless given as ``first``) together, then the other pages, all in
        parallel on up to ``READ_CONNECTIONS`` connections. Each page is converted as it
        arrives, so the server's objects of only the pages in flight are held at once (a
        million-sample listing's dicts held 560 MB); a sample that a page boundary shifted
        into two pages (samples added meanwhile) is kept once.
        """
        if query.ids == ():
            return []

        def fetch(offset: int, page: Optional[_Converted] = None) -> _Converted:
            if page is not None:
                return page
            return self._converted_page(query, offset, PAGE, mode, convert)

        pages: dict[int, _Converted] = {}
        with ThreadPoolExecutor(max_workers=self._read_workers) as pool:
            counting = pool.submit(self.count, query)
            head = pool.submit(fetch, 0, first)
            total = counting.result()
            rest = {offset: pool.submit(fetch, offset) for offset in range(PAGE, total, PAGE)}
            pages[0] = head.result()
            pages.update((offset, page.result()) for offset, page in rest.items())
        offset = max(pages)
        while len(pages[offset].items) == PAGE:
            offset += PAGE  # samples added while we paged
            pages[offset] = fetch(offset)
        order = sorted(pages)
        if query.sort == "id" and _in_id_order([pages[key].ids for key in order], query):
            samples = []  # no sample in two pages: nothing to look for (a million ids)
            for key in order:
                samples.extend(pages.pop(key).items)
            return samples
        ids = np.concatenate([pages[key].ids for key in order])
        keep = np.zeros(len(ids), dtype=bool)
        keep[np.unique(ids, return_index=True)[1]] = True
        samples: list = []
        start = 0
        for key in order:
            items = pages.pop(key).items
            kept = keep[start : start + len(items)]
            samples.extend(items if kept.all() else [x for x, k in zip(items, kept) if k])
            start += len(items)
        return samples

    def _after_id_pages(
        self, query: SampleQuery, mode: str, convert: Callable[[dict], Any]
    ) -> tuple[Optional[list], Optional[_Converted]]:
        """Every match of an id-sorted ``query`` through ``convert``, each page asked as the
        one after the last id seen (``afterId``, an ei-desktop extension whose pages cost the
        same at any depth, where offset pages cost more the deeper they are), and ``None``;
        or ``None`` and the first page (by offset) when the server does not offer it (Edge
        Impulse itself), known from that first answer. Each page is converted while the
        next one is asked for and sent.
        """
        columns = mode == "info" and convert is _info
        body = self._page_body(query, 0, PAGE, mode=mode, columns=columns)
        if not body.get("pagingAfterId"):
            self._paging_after_id = False
            return None, _converted(body, convert)
        self._paging_after_id = True
        converted: list = []
        size = PAGE
        with ThreadPoolExecutor(max_workers=1) as pool, _no_cycle_collection():
            while True:
                following = None
                count, last = _page_extent(body, query.descending)
                if count == size:
                    size = AFTER_ID_PAGE
                    following = pool.submit(
                        self._page_body,
                        query,
                        0,
                        size,
                        mode=mode,
                        after_id=last,
                        columns=columns,
                    )
                converted.extend(_converted(body, convert).items)
                if following is None:
                    return converted, None
                body = following.result()

    def _all_records(self, query: SampleQuery) -> list[SampleRecord]:
        records = self._everything(query, convert=_record)
        self._remember(records)
        return records

    def iter_samples(self, query: SampleQuery, *, page_size: int = 1000) -> Iterator[SampleRecord]:
        """Every matching sample in query order, page by page (by offset, as the standard
        API pages): after the count, up to ``READ_CONNECTIONS`` pages are fetched in parallel
        ahead of the one being read, so memory holds at most that many pages.
        """
        if query.ids == ():
            return
        size = max(1, int(page_size))
        # both first requests need the project: looked up once, before either is sent (a
        # dead address is then asked once, not once per request)
        self.project_id()
        ahead: deque[tuple[int, Future]] = deque()
        with ThreadPoolExecutor(max_workers=self._read_workers) as pool:

            def fetch(offset: int) -> None:
                ahead.append(
                    (offset, pool.submit(self.list_samples, query, offset=offset, limit=size))
                )

            try:
                counting = pool.submit(self.count, query)
                fetch(0)
                total, following = counting.result(), size
                while ahead:
                    offset, page = ahead.popleft()
                    records = page.result()
                    if len(records) == size and following <= offset + size:
                        total = max(total, offset + 2 * size)  # samples added while we paged
                    while len(ahead) < self._read_workers and following < total:
                        fetch(following)
                        following += size
                    yield from records
            finally:
                for _offset, page in ahead:
                    page.cancel()

    def sample_infos(self, query: SampleQuery) -> list[SampleInfo]:
        """Id, name, category and label of every match."""
        return self._everything(query, mode="info", convert=_info)

    def sample_ids(self, query: SampleQuery) -> np.ndarray:
        """Ids of every match in query order."""
        return np.array([r.id for r in self._all_records(query)], dtype=np.int64)

    def label_counts(self) -> dict[tuple[str, str], int]:
        """Counts per (category, label), disabled samples included: a sample under each of its
        labels where the server counts so (``ei-desktop serve``), else under its own label
        (Edge Impulse's dataset summary, :meth:`summary`).
        """
        counted = self._counts_by_label()
        if counted is not None:
            return counted[0]
        return {(r.category, r.label): r.count for r in self.summary().rows if r.count}

    def category_counts(self) -> dict[str, int]:
        """Counts per category, each sample once, disabled samples included."""
        counted = self._counts_by_label()
        if counted is not None:
            return counted[1]
        totals: dict[str, int] = {}
        for row in self.summary().rows:
            totals[row.category] = totals.get(row.category, 0) + row.count
        return {category: n for category, n in totals.items() if n}

    def _counts_by_label(self) -> Optional[tuple[dict[tuple[str, str], int], dict[str, int]]]:
        if self._label_counts_supported is False:
            return None
        return studio_edits.counts_by_label(self)

    def _remember(self, records: Iterable[SampleRecord]) -> None:
        with self._records_lock:
            for record in records:
                self._records[record.id] = record
                self._records.move_to_end(record.id)
            while len(self._records) > _RECORD_CACHE:
                self._records.popitem(last=False)

    def get_samples(self, ids: Iterable[int]) -> dict[int, SampleRecord]:
        """Records for existing ids (from recent listings, else fetched)."""
        found: dict[int, SampleRecord] = {}
        missing = []
        with self._records_lock:
            for sample_id in ids:
                record = self._records.get(int(sample_id))
                if record is None:
                    missing.append(int(sample_id))
                else:
                    found[record.id] = record
        if missing:
            bodies = self._bodies(missing, payload=False)
            records = [_record(b["sample"]) for b in bodies.values() if b is not None]
            self._remember(records)
            found.update((r.id, r) for r in records)
        return found

    def _batch(self, ids: list[int], payload: bool) -> Optional[dict[int, Optional[dict]]]:
        """``GET …/raw-data/{id}`` bodies for many ids in one request, where the server offers
        that (an ei-desktop extension); ``None`` where it does not.
        """
        if self._batch_supported is False:
            return None
        response = self._request(
            "POST",
            self._raw("batch"),
            data=orjson.dumps({"ids": ids, "payload": payload}),
            headers={"Content-Type": "application/json"},
        )
        if response.status_code in (400, 404, 405, 422) and self._batch_supported is None:
            self._batch_supported = False  # Edge Impulse itself has no such endpoint
            return None
        if response.status_code != 200:
            raise BackendError(
                f"{response.status_code} while fetching samples: {_error_of(response)}"
            )
        self._batch_supported = True
        entries = orjson.loads(response.content).get("samples") or []
        return {int(e["id"]): (e if e.get("success") else None) for e in entries}

    def _offers_batch(self) -> bool:
        """Whether the server answers many ids in one request (asked once, with no ids)."""
        if self._batch_supported is None:
            self._batch([], payload=False)
        return bool(self._batch_supported)

    def _bodies(
        self, ids: list[int], *, payload: bool = True, cancel: Optional[CancelToken] = None
    ) -> dict[int, Optional[dict]]:
        """Sample bodies by id (``None``: no such sample), batched when the server allows.

        Fetched one request per id (Edge Impulse itself), a cancel leaves the ids after the
        fetched prefix out of the answer.
        """
        chunks = [ids[i : i + BATCH_IDS] for i in range(0, len(ids), BATCH_IDS)]
        bodies: dict[int, Optional[dict]] = {}
        first = self._batch(chunks[0], payload) if chunks else {}
        if first is not None:
            bodies.update(first)
            with ThreadPoolExecutor(
                max_workers=min(self._workers, max(1, len(chunks) - 1))
            ) as pool:
                for part in pool.map(lambda chunk: self._batch(chunk, payload), chunks[1:]):
                    bodies.update(part or {})
            return bodies
        params = {} if payload else {"limitPayloadValues": 1}

        def fetch(index: int) -> None:
            bodies[ids[index]] = self._get(ids[index], **params)

        _in_order(fetch, len(ids), self._sample_workers, stop=lambda: is_cancelled(cancel))
        return bodies

    def _get(self, sample_id: int, **params) -> Optional[dict]:
        body = self._json("GET", self._raw(int(sample_id)), params=params or None)
        if not body.get("success", False):
            error = str(body.get("error") or "")
            if error.startswith("No sample found"):
                return None
            raise BackendError(error or f"Sample {sample_id} could not be read")
        return body

    def get_sample(self, sample_id: int) -> Optional[SampleRecord]:
        """One record, or ``None`` (without its values: from the database of a server that
        offers the batch extension, else with one value).
        """
        body = self._bodies([int(sample_id)], payload=False).get(int(sample_id))
        if body is None:
            return None
        record = _record(body["sample"])
        self._remember([record])
        return record

    # -- content -----------------------------------------------------------------------------

    def _media(self, record: SampleRecord) -> Optional[bytes]:
        endpoint = {"image": "image", "video": "video", "audio": "wav"}.get(record.kind, "raw")
        params = {"axisIx": 0} if endpoint == "wav" else None
        response = self._request("GET", self._raw(record.id, endpoint), params=params)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise BackendError(
                f"{response.status_code} while fetching sample {record.id}: "
                f"{_error_of(response) or response.reason}"
            )
        return response.content

    def load_bytes(self, sample_id: int) -> Optional[bytes]:
        """The content: media as stored, time series as originally uploaded when available.

        One request for a sample listed before (its kind, which says where its content is,
        never changes), two otherwise.
        """
        with self._records_lock:
            record = self._records.get(int(sample_id))
        if record is None:
            record = self.get_sample(sample_id)
        return None if record is None else self._media(record)

    def open_content(self, sample_id: int) -> Optional[BinaryIO]:
        """The content as a binary file (fetched whole: the Studio API has no ranges)."""
        data = self.load_bytes(sample_id)
        return None if data is None else io.BytesIO(data)

    def load_series(self, sample_id: int) -> Optional[Series]:
        """Values of a time-series, table or audio sample."""
        body = self._get(sample_id)
        if body is None:
            return None
        record = _record(body["sample"])
        if record.kind == "audio":
            data = self._media(record)
            if data is None:
                return None
            parsed = formats.parse("audio.wav", data, with_values=True)
            return Series(record.sensors, parsed.values, record.interval_ms)
        if record.kind not in ("timeseries", "table"):
            return None
        return _series(body, record)

    def download(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[Union[DownloadedSample, DownloadFailure, None]]:
        """Fetch samples (in batches where the server allows, else one request each, in
        parallel); per-sample failures never abort the batch.

        Returns one entry per id of a prefix of ``ids``: all of them, or, when cancelled,
        those fetched before the cancel (no new request starts after it).

        Raises:
            ServerUnreachable: no connection could be opened to the server.
            InvalidApiKey: the key was refused.
        """
        tracker = Tracker(progress, len(ids))
        ids = [int(i) for i in ids]
        if ids:
            self.project_id()  # one quick, clear failure when the server cannot be reached
        if ids and not self._offers_batch():
            return self._download_each(ids, tracker, cancel)
        out: list[Union[DownloadedSample, DownloadFailure, None]] = []
        for start in range(0, len(ids), DOWNLOAD_CHUNK):
            if is_cancelled(cancel):
                break
            chunk = ids[start : start + DOWNLOAD_CHUNK]
            try:
                bodies: dict = self._download_bodies(chunk, cancel)
            except (InvalidApiKey, ServerUnreachable):
                raise
            except BackendError as exc:
                bodies = {i: exc for i in chunk}
            if is_cancelled(cancel):
                chunk = list(itertools.takewhile(lambda i, b=bodies: i in b, chunk))
            results: list = [None] * len(chunk)

            def fetch(index: int, chunk=chunk, bodies=bodies, results=results) -> None:
                results[index] = self._downloaded(chunk[index], bodies.get(chunk[index]))
                tracker.step(results[index])

            fetched = _in_order(fetch, len(chunk), self._workers, lambda: is_cancelled(cancel))
            out.extend(results[:fetched])
            if fetched < len(chunk) or len(chunk) < min(DOWNLOAD_CHUNK, len(ids) - start):
                break
        return out

    def _download_each(
        self, ids: list[int], tracker: Tracker, cancel: Optional[CancelToken]
    ) -> list[Union[DownloadedSample, DownloadFailure, None]]:
        """:meth:`download` over the standard API: one request per sample (two for media),
        each sample fetched and converted by one of up to ``SAMPLE_CONNECTIONS`` workers, with
        no step waiting for a whole group to finish.
        """
        with self._records_lock:
            media = {i for i in ids if i in self._records and self._records[i].kind in _MEDIA}
        results: list[Union[DownloadedSample, DownloadFailure, None]] = [None] * len(ids)

        def fetch(index: int) -> None:
            sample_id = ids[index]
            body: Union[dict, BackendError, None]
            try:
                # a media sample's content comes from its own endpoint: its values are not
                # asked for (a WAV's would be decoded into JSON many times the file's size)
                params = {"limitPayloadValues": 1} if sample_id in media else {}
                body = self._get(sample_id, **params)
            except (InvalidApiKey, ServerUnreachable):
                raise
            except BackendError as exc:
                body = exc
            results[index] = self._downloaded(sample_id, body)
            tracker.step(results[index])

        fetched = _in_order(fetch, len(ids), self._sample_workers, lambda: is_cancelled(cancel))
        return results[:fetched]

    def _download_bodies(
        self, ids: list[int], cancel: Optional[CancelToken]
    ) -> dict[int, Optional[dict]]:
        """The bodies a download needs: with values for time series only. A media sample's
        content comes from its own endpoint; its values would be decoded into a JSON answer
        many times the file's size only to be thrown away (a 100 MB WAV: 9 GB).

        Where the server offers batches, the records come first (one cheap request) and the
        values of the time series after; else media known from a recent listing go without
        values and the rest with (one request each, as Edge Impulse itself needs).
        """
        with self._records_lock:
            known = {i: self._records[i].kind for i in ids if i in self._records}
        if len(known) < len(ids) and self._offers_batch():
            bodies = self._bodies(ids, payload=False, cancel=cancel)
            records = {i: _record(b["sample"]) for i, b in bodies.items() if b}
            series = [i for i in ids if i in records and _with_values(records[i])]
            with_values = self._bodies(series, cancel=cancel) if series else {}
            needs_values = set(series)
            # a cancel may leave time series without values: those are not fetched
            return {
                i: with_values[i] if i in needs_values else bodies[i]
                for i in bodies
                if i not in needs_values or i in with_values
            }
        media = [i for i in ids if known.get(i) in _MEDIA]
        bodies = self._bodies([i for i in ids if known.get(i) not in _MEDIA], cancel=cancel)
        if media:
            bodies.update(self._bodies(media, payload=False, cancel=cancel))
        return {i: bodies[i] for i in ids if i in bodies}

    def _downloaded(
        self, sample_id: int, body: Union[dict, BackendError, None]
    ) -> Union[DownloadedSample, DownloadFailure, None]:
        """A fetched body turned into what the SDK's downloader returns (media fetched now)."""
        from ei_desktop.core.formats import acquisition

        if body is None:
            return None
        if isinstance(body, BackendError):
            return DownloadFailure(sample_id, str(body))
        try:
            record = _record(body["sample"])
            name = naming.download_name(record.upload_name, record.kind)
            if record.kind in _MEDIA:
                data = self._media(record)
                if data is None:
                    return DownloadFailure(sample_id, "The server has no content for it")
                return DownloadedSample(record, data, name)
            if "payload" not in body:  # a big time series: its file, read here
                return DownloadedSample(record, self._series_text(record), name)
            payload = body["payload"]
            # the values as parsed, never copied into an array first: the text written is
            # the answer's numbers as they came, like the SDK's
            text = acquisition.to_json(
                str(payload.get("device_type") or record.device_type),
                payload.get("device_name"),
                record.sensors,
                payload["values"],
                record.interval_ms,
            )
            return DownloadedSample(record, text, name)
        except (InvalidApiKey, ServerUnreachable):
            raise
        except (BackendError, KeyError, TypeError, ValueError, formats.FormatError) as exc:
            return DownloadFailure(sample_id, str(exc) or type(exc).__name__)

    def _series_text(self, record: SampleRecord) -> str:
        """A time series in the data acquisition format, from its file as uploaded (which
        costs about its size, where its values as JSON numbers cost ten times that).
        """
        from ei_desktop.core.formats import acquisition

        data = self._media(record)
        if data is None:
            raise BackendError("The server has no content for it")
        values = formats.parse(record.upload_name, data, with_values=True).values
        del data
        return acquisition.to_json(
            record.device_type, record.device_name, record.sensors, values, record.interval_ms
        )

    # -- delete ------------------------------------------------------------------------------

    def delete(
        self,
        ids: Sequence[int],
        *,
        progress: Optional[ProgressCallback] = None,
        cancel: Optional[CancelToken] = None,
    ) -> list[bool]:
        """Delete samples; ``False`` where an id did not exist.

        Returns one entry per id of a prefix of ``ids``: all of them, or, when cancelled,
        those whose request started before the cancel (requests in flight finish).

        Raises:
            ServerUnreachable: no connection could be opened to the server.
            BackendError: the server refused a delete (after the requests in flight finish).
        """
        ids = [int(i) for i in ids]
        tracker = Tracker(progress, len(ids))
        if ids:
            self.project_id()  # one quick, clear failure when the server cannot be reached
        done: list[bool] = [False] * len(ids)

        def remove(index: int) -> None:
            body = self._json("DELETE", self._raw(ids[index]))
            ok = bool(body.get("success"))
            if not ok and not str(body.get("error", "")).startswith("No sample found"):
                raise BackendError(str(body.get("error")))
            with self._records_lock:
                self._records.pop(ids[index], None)
            done[index] = ok
            tracker.step(ok)

        try:
            attempted = _in_order(remove, len(ids), self._workers, lambda: is_cancelled(cancel))
        finally:
            studio_edits.record_delete(self._journal, sum(done))
        return done[:attempted]

    def delete_all(self, category: Optional[str] = None) -> int:
        """Delete every sample (of ``category``); returns how many there were."""
        count = self.count(SampleQuery(category=category, include_disabled="both"))
        parts = ("delete-all",) if category is None else ("delete-all", category)
        body = self._json("POST", self._raw(*parts))
        if not body.get("success", False):
            raise BackendError(str(body.get("error") or "The server refused to delete"))
        with self._records_lock:
            self._records.clear()
        studio_edits.record_delete(self._journal, count)
        return count

    # -- curation (see studio_edits) ---------------------------------------------------------

    def edit(self, selection: SampleQuery, change: Change) -> EditResult:
        """Apply ``change`` to every sample ``selection`` selects, with Edge Impulse's
        per-sample endpoint for one sample and its batch endpoints for more (the selection as
        their filter). ``matched``/``changed`` come from a listing made just before.

        Raises:
            InvalidEditError: the change is not valid or the server refused it.
            BackendError: the server failed (a partly made change is in the history).
        """
        return studio_edits.edit(self, self._journal, selection, change)

    def crop(self, sample_id: int, start: int, end: int) -> EditResult:
        """Keep values ``start`` up to but not including ``end`` (final on Edge Impulse).

        Raises:
            InvalidEditError: the range is empty or outside the sample, or it has no values.
        """
        return studio_edits.crop(self, self._journal, sample_id, start, end)

    def segment(self, sample_id: int, segments_ms: Sequence[tuple[float, float]]) -> EditResult:
        """Split a sample into the millisecond ranges ``segments_ms`` (final on Edge Impulse).

        Raises:
            InvalidEditError: a range is empty or outside the sample, or it has no values.
        """
        return studio_edits.segment(self, self._journal, sample_id, segments_ms)

    def summary(self) -> Summary:
        """Counts and durations per category and label: from the project's dataset summary
        (two requests) where the server gives it, else from a listing of every sample.
        """
        return studio_edits.summary(self)

    def split(self, options: SplitOptions, *, dry_run: bool = False) -> SplitResult:
        """Divide training, testing and validation as ``options`` ask, the server deciding
        where each sample goes (``POST …/split``, or ``split-preview`` for a dry run). The
        samples it moved are in the history: undo moves them back.

        Raises:
            InvalidEditError: the server refused the options.
        """
        return studio_split.split(self, self._journal, options, dry_run=dry_run)

    def metadata_values(self) -> dict[str, list[str]]:
        """Every metadata key with its distinct values, sorted."""
        return studio_edits.metadata_values(self)

    def history(self, limit: int = 50) -> list[ChangeSet]:
        """The changes made through this backend in this session, newest first (Edge Impulse
        keeps no history a client can read).
        """
        return self._journal.history(limit)

    def undo(self) -> ChangeSet:
        """Give the samples of the latest change of this session their previous values back.

        Raises:
            NothingToUndo: no change of this session is left to undo.
            CannotUndo: it was a delete, crop or split, which are final on Edge Impulse.
        """
        return studio_edits.undo(self, self._journal)

    def redo(self) -> ChangeSet:
        """Make the change undone last again.

        Raises:
            NothingToUndo: there is nothing to redo.
        """
        return studio_edits.redo(self, self._journal)

    def _each(self, work: Callable[[int], None], count: int) -> None:
        """``work(0)`` … ``work(count - 1)`` on the backend's worker threads (first error
        raised once the requests in flight have finished).
        """
        _in_order(work, count, self._workers, stop=lambda: False)

    def _forget_records(self) -> None:
        """Drop the records remembered from listings (after a change)."""
        with self._records_lock:
            self._records.clear()


class _NoRetryWhenRefused(Retry):
    """urllib3's retries, except that a connection that could not be opened at all (refused,
    unknown host, no route) is given up at once: nothing answers there, and trying again a
    moment later cannot change that. A connect that timed out is still retried (a busy
    server may answer the next one).
    """

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, **kwargs):
        cause = error.original_error if isinstance(error, ProxyError) else error
        if isinstance(cause, NewConnectionError):
            raise MaxRetryError(_pool, url, error) from error
        return super().increment(method, url, response, error, _pool, **kwargs)


def _retry(methods: set[str]) -> Retry:
    """Retries with back-off for ``methods``; any request whose connect timed out (so
    nothing was sent). One that found nothing listening is not retried.
    """
    return _NoRetryWhenRefused(
        total=5,
        connect=2,
        read=2,
        backoff_factor=0.3,
        # rate limits (and their Retry-After) are waited out by the backend's gate, shared by
        # all its requests
        status_forcelist=[s for s in RETRYABLE_STATUS if s not in RATE_LIMITED],
        allowed_methods=frozenset(methods),
        respect_retry_after_header=False,
        raise_on_status=False,
    )


class _SizedPart:
    """A file part of a known size for the multipart encoder, which asks how many bytes are
    left (``len``) before each read and so cannot stream a file object it cannot measure.
    """

    def __init__(self, handle: BinaryIO, size: int) -> None:
        self._handle = handle
        self.len = size

    def read(self, size: int = -1) -> bytes:
        want = self.len if size is None or size < 0 else min(size, self.len)
        data = self._handle.read(want)
        if want and not data:
            raise OSError("The file became shorter while it was sent")
        self.len -= len(data)
        return data


def _part_body(item: UploadItem, handle: BinaryIO) -> Union[_SizedPart, bytes]:
    """What to stream for ``item``: its open ``handle`` with the size it is known to have, or
    its bytes when the size is not known without reading (a pipe, a text file object).
    """
    size = item.size()
    if size is None:
        data = handle.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return _SizedPart(handle, size)


_collection_lock = threading.Lock()
_collection_paused = 0  # listings running with cyclic collection paused
_collection_was_enabled = False


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No cyclic garbage collection while a listing builds its objects: each collection
    walks every object built so far, which made a third of a million-sample listing's
    time (the objects hold no cycles; reference counting frees them as usual). Listings on
    several threads share one pause, and the last one out puts back what it found.
    """
    global _collection_paused, _collection_was_enabled
    with _collection_lock:
        if _collection_paused == 0:
            _collection_was_enabled = gc.isenabled()
            gc.disable()
        _collection_paused += 1
    try:
        yield
    finally:
        with _collection_lock:
            _collection_paused -= 1
            if _collection_paused == 0 and _collection_was_enabled:
                gc.enable()


def _same(sample: dict) -> dict:
    return sample


def _converted(body: dict, convert: Callable[[dict], Any]) -> _Converted:
    """A listing answer's samples (or ``columns``, then read as ``SampleInfo``s: asked for
    by ``_info`` only) through ``convert``, with their ids.
    """
    columns = body.get("columns")
    if columns is not None:
        return _info_columns(columns)
    page = body["samples"]
    try:
        ids = np.fromiter((int(s["id"]) for s in page), dtype=np.int64, count=len(page))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendError("The server listed samples in an unexpected shape") from exc
    return _Converted(ids, [convert(s) for s in page])


def _info_columns(columns: dict) -> _Converted:
    """``SampleInfo``s of a page sent as columns (one array per field): built by ``map``,
    with no object per sample besides them; one string per category and label.
    """
    try:
        ids, names, categories, labels = (
            columns[key] for key in ("id", "filename", "category", "label")
        )
        if not len(ids) == len(names) == len(categories) == len(labels):
            raise ValueError("columns of different lengths")
        array = np.array(ids, dtype=np.int64) if ids else np.zeros(0, dtype=np.int64)
        if array.tolist() != ids:
            raise ValueError("ids that are not integers")
        intern = sys.intern
        items = list(map(SampleInfo, ids, names, map(intern, categories), map(intern, labels)))
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendError("The server listed samples in an unexpected shape") from exc
    return _Converted(array, items)


def _in_id_order(pages: list[np.ndarray], query: SampleQuery) -> bool:
    """Whether the ids of these pages, one page after the other, are strictly in the order
    of the id-sorted ``query`` (then no sample is in two pages).
    """
    previous = None
    for ids in pages:
        if not len(ids):
            continue
        steps = np.diff(ids)
        if not ((steps < 0).all() if query.descending else (steps > 0).all()):
            return False
        if previous is not None and not (
            ids[0] < previous if query.descending else ids[0] > previous
        ):
            return False
        previous = ids[-1]
    return True


def _page_extent(body: dict, descending: bool) -> tuple[int, Optional[int]]:
    """How many samples a listing answer holds, and the id the next page follows (its
    smallest when the listing is newest first, else its largest; ``None`` when empty).
    """
    try:
        columns = body.get("columns")
        ids = columns["id"] if columns is not None else [int(s["id"]) for s in body["samples"]]
        return len(ids), int(min(ids) if descending else max(ids)) if ids else None
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendError("The server listed samples in an unexpected shape") from exc


def _info(sample: dict) -> SampleInfo:
    # a project has few categories and labels: one string each, not one per sample (100 MB
    # of a million-sample listing)
    category = sample.get("category")
    return SampleInfo(
        int(sample["id"]),
        str(sample.get("filename", "")),
        sys.intern(category) if isinstance(category, str) else category,
        sys.intern(sample.get("label") or ""),
    )


def _failed(batch: _Batch, error: str) -> list[tuple[int, UploadResult]]:
    return [(i, UploadResult(item, False, error=error)) for i, item in batch.items]


def _in_order(
    work: Callable[[int], None], count: int, workers: int, stop: Callable[[], bool]
) -> int:
    """Run ``work(0)``, ``work(1)`` … ``work(count - 1)`` on up to ``workers`` threads.

    Indices are claimed in order, and none once ``stop()`` is true, so the work done is always
    the prefix ``0 … n - 1``, each item run to its end. Returns ``n``. The first exception of
    an item stops the claiming and is raised once the items in flight have finished.
    """
    lock = threading.Lock()
    claimed = 0
    errors: list[Exception] = []

    def loop() -> None:
        nonlocal claimed
        while True:
            with lock:
                if claimed >= count or errors or stop():
                    return
                index = claimed
                claimed += 1
            try:
                work(index)
            except Exception as exc:
                with lock:
                    errors.append(exc)
                return

    threads = max(1, min(workers, count))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(loop) for _ in range(threads)]:
            future.result()
    if errors:
        raise errors[0]
    return claimed


# -- JSON → values -------------------------------------------------------------------------


def _environment_configures_requests() -> bool:
    names = {
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "requests_ca_bundle",
        "curl_ca_bundle",
        "netrc",
    }
    if any(key.lower() in names for key in os.environ):
        return True
    return os.path.exists(os.path.expanduser("~/.netrc"))


def _ca_bundle_only() -> Optional[str]:
    """The CA bundle requests would read from the environment (``REQUESTS_CA_BUNDLE``, else
    ``CURL_CA_BUNDLE``) when that is all the environment configures for it, else ``None``.
    """
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        return None
    others = {"http_proxy", "https_proxy", "all_proxy", "no_proxy", "netrc"}
    if any(key.lower() in others for key in os.environ):
        return None
    return None if os.path.exists(os.path.expanduser("~/.netrc")) else bundle


def _reason(exc: Exception) -> str:
    text = str(exc)
    if "Remote end closed connection" in text:
        return "the server closed the connection without answering"
    for marker in ("Connection refused", "Name or service not known", "timed out", "reset by peer"):
        if marker in text:
            return marker.lower()
    if isinstance(_root_cause(exc), NameResolutionError):
        return "unknown host"
    return text[:200]


def _root_cause(exc: BaseException) -> BaseException:
    """The urllib3 error inside a requests exception (``MaxRetryError.reason``)."""
    inner: BaseException = exc
    if isinstance(inner, requests.RequestException) and isinstance(
        inner.args[0] if inner.args else None, BaseException
    ):
        inner = inner.args[0]
    if isinstance(inner, MaxRetryError) and inner.reason is not None:
        inner = inner.reason
    return inner


def _cannot_connect(exc: BaseException) -> bool:
    """True when no connection could be opened at all: refused, unknown host, no route.

    A connect timeout is not one of them (a busy server may answer next time); urllib3 raises
    those as ``ConnectTimeoutError``, of which ``NewConnectionError`` is a subclass.
    """
    return isinstance(_root_cause(exc), NewConnectionError)


def _unreachable_message(url: str, exc: BaseException) -> str:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if isinstance(_root_cause(exc), NameResolutionError):
        return f"Cannot reach {parts.netloc}: unknown host (the name in {origin} does not resolve)"
    return f"Cannot reach {parts.netloc}: {_reason(exc)} (no server answers at {origin})"


def _error_of(response: requests.Response) -> Optional[str]:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or None
    if isinstance(body, dict):
        error = body.get("error") or body.get("detail")
        return str(error) if error else None
    return None


def _retry_after(response: requests.Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, min(60.0, float(value)))
    except ValueError:
        return 1.0


def _ids_in(error: str) -> list[int]:
    start = error.find("(ids:")
    if start < 0:
        return []
    inner = error[start + 5 : error.find(")", start)]
    return [int(part) for part in inner.replace(" ", "").split(",") if part.isdigit()]


def _kind(sample: dict) -> str:
    sensors = sample.get("sensors") or []
    first = sensors[0] if sensors else {}
    if first.get("name") == "image" or sample.get("chartType") == "image":
        return "image"
    if first.get("name") == "video" or sample.get("chartType") == "video":
        return "video"
    if first.get("name") == "audio" and first.get("units") == "wav":
        return "audio"
    if sample.get("chartType") == "table":
        return "table"
    return "timeseries"


def _timestamp(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    return datetime.fromtimestamp(0, tz=timezone.utc)


def _upload_name(cold: str, fallback: str) -> str:
    base = cold.rsplit("/", 1)[-1]
    parts = base.split(".")
    return ".".join(parts[:-3]) if len(parts) > 3 else fallback


def _with_values(record: SampleRecord) -> bool:
    """Whether a download asks for ``record``'s values as JSON (time series not bigger than
    :data:`BIG_SERIES`; bigger ones come as their file, from a server with the batch
    extension).
    """
    return record.kind not in _MEDIA and record.size <= BIG_SERIES


def _record(sample: dict) -> SampleRecord:
    dimensions = sample.get("imageDimensions") or {}
    filename = str(sample.get("filename", ""))
    cold = str(sample.get("coldstorageFilename") or "")
    return SampleRecord(
        id=int(sample["id"]),
        filename=filename,
        category=str(sample.get("category", "")),
        label=str(sample.get("label") or ""),
        kind=_kind(sample),
        sensors=[
            Sensor(str(s.get("name", "")), str(s.get("units", "")))
            for s in sample.get("sensors") or []
        ],
        interval_ms=float(sample.get("intervalMs") or 0),
        values_count=int(sample.get("valuesCount") or 0),
        size=int(sample.get("sizeBytes") or 0),
        added=_timestamp(sample.get("added") or sample.get("created")),
        sha256=str(sample.get("sha256Hash") or ""),
        upload_name=_upload_name(cold, filename),
        device_type=str(sample.get("deviceType") or ""),
        device_name=sample.get("deviceName"),
        metadata=sample.get("metadata"),
        bounding_boxes=list(sample.get("boundingBoxes") or []),
        structured_labels=sample.get("structuredLabels"),
        width=dimensions.get("width"),
        height=dimensions.get("height"),
        cold_storage_name=cold,
        disabled=bool(sample.get("isDisabled")),
    )


def _series(body: dict, record: SampleRecord) -> Series:
    payload = body.get("payload") or {}
    values = np.asarray(payload.get("values") or [], dtype=np.float64)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    return Series(
        sensors=record.sensors,
        values=values,
        interval_ms=record.interval_ms,
        device_type=str(payload.get("device_type") or record.device_type),
        device_name=payload.get("device_name"),
    )


def _companion_part(filename: str, entries: dict) -> tuple:
    """A multipart field carrying companion file ``filename`` with ``entries``."""
    return ("data", (filename, companion.companion_bytes(filename, entries), "application/json"))
