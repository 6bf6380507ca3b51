"""Curation: changing samples already in a project (labels, categories, names, metadata,
enabled state, content), its history, and undo/redo. Written once for the app, the command
line and the SDK functions.

A change touches any number of samples in one backend call, so its outcome is not a
per-item :class:`~ei_desktop.ops.report.Report` but one :class:`EditReport`: counts and a
sentence ("Label set to 'idle' on 50,000 samples (12 already labeled 'idle')."). Errors a
user can cause (an empty name, a crop outside the sample, nothing to undo, a server that
went away) end up in :attr:`EditReport.error` as one line, never as an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

from ei_desktop.core import display, segments
from ei_desktop.core.backends.base import (
    Backend,
    BackendError,
    MetadataFilter,
    SampleQuery,
    query_for_ids,
)
from ei_desktop.core.edits import (
    CannotUndo,
    Change,
    ChangeSet,
    Delete,
    EditResult,
    InvalidEditError,
    Move,
    NothingToUndo,
    RemoveMetadata,
    Rename,
    SetBoundingBoxes,
    SetEnabled,
    SetLabel,
    SetMetadata,
    SetStructuredLabels,
    Summary,
)
from ei_desktop.core.labels import LabelError, normalize_label
from ei_desktop.ops.batches import sample_name

#: errors an edit turns into :attr:`EditReport.error` (anything else is a bug and is raised)
_USER_ERRORS = (InvalidEditError, LabelError, BackendError, NothingToUndo, CannotUndo)


@dataclass
class EditReport:
    """What one curation operation did (or why it did nothing).

    Attributes:
        action: a title for the operation ("Set label", "Move", "Crop", "Undo"…).
        message: one sentence saying what happened, for a status bar or a terminal.
        matched: how many samples the selection matched.
        changed: how many of them changed (true when the project changed: views refresh).
        change_id: the history entry recording the change, when there is one.
        created: ids of samples the operation created (the segments of a split).
        missing: ids that were asked for by id but do not exist.
        error: why the operation failed, in one line (``None`` when it did not).
    """

    action: str
    message: str
    matched: int = 0
    changed: int = 0
    change_id: Optional[int] = None
    created: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when nothing failed and every sample asked for by id existed."""
        return self.error is None and not self.missing

    @property
    def problem(self) -> Optional[str]:
        """What went wrong in one line (the error, or the ids not found), else ``None``."""
        if self.error is not None:
            return self.error
        if self.missing:
            return _not_found(self.missing)
        return None


@dataclass
class EditPreview:
    """What a change would do, before it is applied.

    Attributes:
        action: a title for the change ("Set label").
        matched: how many samples the selection matches.
        unchanged: how many of them already have the new value (``None`` when that cannot
            be counted cheaply).
        examples: ``(id, name)`` of the first matching samples.
        sentence: "Would set label 'idle' on 3 samples (1 already labeled 'idle')." or
            "No sample matches; nothing would change."
        question: the same as a question for a confirmation: "Set label 'idle' on 3
            samples?"
        missing: ids the selection names that do not exist.
    """

    action: str
    matched: int
    unchanged: Optional[int]
    examples: list[tuple[int, str]]
    sentence: str
    question: str
    missing: list[int] = field(default_factory=list)

    @property
    def would_change(self) -> int:
        """How many samples the change would touch (all matches when not known better)."""
        return self.matched - (self.unchanged or 0)


@dataclass(frozen=True)
class _Words:
    action: str  # "Set label"
    done: str  # "Label set to 'idle' on {n}"
    would: str  # "set label 'idle' on {n}"
    already: str = ""  # "already labeled 'idle'"


def _pairs(metadata: dict) -> str:
    return ", ".join(f"{key}={value}" for key, value in metadata.items()) or "nothing"


def _words(change: Change) -> _Words:
    """How a change reads in titles and sentences; ``{n}`` stands for "3 samples"."""
    if isinstance(change, SetLabel):
        if change.label == "":
            return _Words(
                "Remove label",
                "Label removed from {n}",
                "remove the label of {n}",
                "already unlabeled",
            )
        label = repr(change.label)
        return _Words(
            "Set label",
            f"Label set to {label} on {{n}}",
            f"set label {label} on {{n}}",
            f"already labeled {label}",
        )
    if isinstance(change, Move):
        where = change.category
        return _Words(
            "Move", f"Moved {{n}} to {where}", f"move {{n}} to {where}", f"already in {where}"
        )
    if isinstance(change, Rename):
        name = repr(change.filename)
        return _Words(
            "Rename", f"Renamed {{n}} to {name}", f"rename {{n}} to {name}", f"already named {name}"
        )
    if isinstance(change, SetMetadata):
        pairs = _pairs(change.metadata)
        if change.replace:
            return _Words(
                "Replace metadata",
                f"Metadata replaced with {pairs} on {{n}}",
                f"replace the metadata of {{n}} with {pairs}",
            )
        return _Words(
            "Set metadata",
            f"Metadata {pairs} set on {{n}}",
            f"set metadata {pairs} on {{n}}",
            "already with these values",
        )
    if isinstance(change, RemoveMetadata):
        if change.key is None:
            return _Words(
                "Clear metadata",
                "Metadata cleared on {n}",
                "clear the metadata of {n}",
                "already without metadata",
            )
        key = repr(change.key)
        return _Words(
            "Remove metadata",
            f"Metadata {key} removed from {{n}}",
            f"remove metadata {key} from {{n}}",
            f"already without {key}",
        )
    if isinstance(change, SetEnabled):
        if change.enabled:
            return _Words("Enable", "Enabled {n}", "enable {n}", "already enabled")
        return _Words("Disable", "Disabled {n}", "disable {n}", "already disabled")
    if isinstance(change, SetBoundingBoxes):
        return _Words(
            "Set bounding boxes", "Bounding boxes set on {n}", "set the bounding boxes of {n}"
        )
    if isinstance(change, SetStructuredLabels):
        return _Words(
            "Set label segments", "Label segments set on {n}", "set the label segments of {n}"
        )
    if isinstance(change, Delete):
        return _Words("Delete", "Deleted {n}", "delete {n}")
    raise TypeError(f"Not a change: {change!r}")


def action_title(change: Change) -> str:
    """A short title for ``change`` ("Set label", "Move", "Disable"), for menus and dialogs."""
    return _words(change).action


def _samples(n: int) -> str:
    return display.plural(n, "sample")


def _not_found(ids: Sequence[int]) -> str:
    shown = ", ".join(str(i) for i in ids[:10])
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    if len(ids) == 1:
        return f"No sample found with ID {shown}"
    return f"No samples found with IDs {shown}{more}"


def _normalized(change: Change) -> Change:
    """The change with its label in the one form labels are stored in (NFC, no control
    characters), so every face refuses and stores the same labels.

    Raises:
        LabelError: the label cannot be stored.
    """
    if isinstance(change, SetLabel):
        return SetLabel(normalize_label(change.label))
    return change


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())  # one line, whatever the backend sent


# -- counting what would change ------------------------------------------------------------


def _unchanged(backend: Backend, selection: SampleQuery, change: Change) -> Optional[int]:
    """How many selected samples already have what ``change`` sets, when one or two cheap
    counts can tell; ``None`` otherwise.
    """
    if isinstance(change, SetLabel):
        if selection.labels and change.label not in selection.labels:
            return 0
        return backend.count(replace(selection, labels=(change.label,)))
    if isinstance(change, Move):
        if selection.category is not None:
            return backend.count(selection) if selection.category == change.category else 0
        return backend.count(replace(selection, category=change.category))
    if isinstance(change, SetEnabled):
        state = "enabled" if change.enabled else "disabled"
        if selection.include_disabled == state:
            return backend.count(selection)
        if selection.include_disabled != "both":
            return 0
        return backend.count(replace(selection, include_disabled=state))
    plain_metadata = not selection.metadata_any and not selection.no_metadata
    if isinstance(change, SetMetadata) and not change.replace and plain_metadata:
        if not change.metadata:
            return backend.count(selection)
        wanted = tuple(MetadataFilter(k, "eq", (str(v),)) for k, v in change.metadata.items())
        return backend.count(replace(selection, metadata=selection.metadata + wanted))
    if isinstance(change, RemoveMetadata) and change.key is not None and plain_metadata:
        without = MetadataFilter(change.key, "neq", ())
        return backend.count(replace(selection, metadata=selection.metadata + (without,)))
    if isinstance(change, Rename) and selection.ids is not None and len(selection.ids) == 1:
        record = backend.get_sample(selection.ids[0])
        return int(record is not None and record.filename == change.filename)
    if isinstance(change, Delete):
        return 0
    return None


def preview(
    backend: Backend, selection: SampleQuery, change: Change, *, examples: int = 0
) -> EditPreview:
    """What applying ``change`` to ``selection`` would do, changing nothing.

    Args:
        examples: how many of the matching samples to name (the first in the selection's
            order).

    Raises:
        BackendError: the project could not be read.
        LabelError: the new label cannot be stored.
    """
    change = _normalized(change)
    words = _words(change)
    matched = backend.count(selection)
    unchanged = _unchanged(backend, selection, change) if matched else 0
    if unchanged is not None:
        unchanged = min(unchanged, matched)
    shown = (
        [(r.id, r.filename) for r in backend.list_samples(selection, limit=examples)]
        if examples > 0 and matched
        else []
    )
    changing = matched - (unchanged or 0)
    phrase = words.would.format(n=_samples(changing))
    if unchanged:
        phrase += f" ({display.count(unchanged)} {words.already})"
    sentence = f"Would {phrase}." if matched else "No sample matches; nothing would change."
    wanted = set(selection.ids) if selection.ids is not None else set()
    missing = _missing_ids(backend, sorted(wanted)) if matched < len(wanted) else []
    question = phrase[0].upper() + phrase[1:] + "?"
    return EditPreview(words.action, matched, unchanged, shown, sentence, question, missing)


# -- changing samples ----------------------------------------------------------------------


def _missing_ids(backend: Backend, ids: Sequence[int]) -> list[int]:
    present = {int(i) for i in backend.sample_ids(query_for_ids(ids))}
    return sorted({int(i) for i in ids} - present)


def _done_sentence(words: _Words, result: EditResult) -> str:
    if result.matched == 0:
        return "No sample matches; nothing changed."
    if result.changed == 0:
        if not words.already:
            return f"Nothing changed: {_samples(result.matched)} matched, none needed a change."
        if result.matched == 1:
            return f"Nothing changed: the sample was {words.already}."
        return f"Nothing changed: the {_samples(result.matched)} were {words.already}."
    sentence = words.done.format(n=_samples(result.changed))
    unchanged = result.matched - result.changed
    if unchanged > 0 and words.already:
        sentence += f" ({display.count(unchanged)} {words.already})"
    return sentence + "."


def apply(backend: Backend, selection: SampleQuery, change: Change) -> EditReport:
    """Apply ``change`` to every sample ``selection`` selects, as one undoable step.

    Ids the selection names that do not exist are listed in :attr:`EditReport.missing`
    (the existing ones are still changed). Never raises for a change the user can get
    wrong: the reason is in :attr:`EditReport.error` and nothing was changed.
    """
    try:
        change = _normalized(change)
    except LabelError as exc:
        return EditReport(_words(change).action, _error_text(exc), error=_error_text(exc))
    words = _words(change)
    wanted = list(dict.fromkeys(selection.ids)) if selection.ids is not None else []
    try:
        missing = _missing_ids(backend, wanted) if isinstance(change, Delete) and wanted else []
        old_name = None
        if isinstance(change, Rename) and len(wanted) == 1:
            record = backend.get_sample(wanted[0])
            if record is not None:
                old_name = sample_name({record.id: record.filename}, record.id)
        result = backend.edit(selection, change)
        if wanted and not missing and result.matched < len(wanted):
            missing = _missing_ids(backend, wanted)
    except _USER_ERRORS as exc:
        return EditReport(words.action, _error_text(exc), error=_error_text(exc))
    if old_name is not None and result.changed:
        message = f"Renamed {old_name} to {change.filename!r}."
    else:
        message = _done_sentence(words, result)
    return EditReport(
        words.action,
        message,
        matched=result.matched,
        changed=result.changed,
        change_id=result.change_id,
        created=list(result.created),
        missing=missing,
    )


def rename_label(backend: Backend, old: str, new: str) -> EditReport:
    """Rename a label across the whole project: every sample labeled ``old``, in every
    category, enabled or not, gets ``new``. Fails (nothing changed) when no sample has ``old``.
    """
    selection = SampleQuery(labels=(old,), include_disabled="both")
    report = apply(backend, selection, SetLabel(new))
    report.action = "Rename label"
    if report.error is None and report.matched == 0:
        report.error = report.message = f"No sample is labeled {old!r}."
    elif report.error is None and report.changed:
        report.message = (
            f"Label {old!r} renamed to {report_label(new)} on {_samples(report.changed)}."
        )
    return report


def report_label(label: str) -> str:
    """A label as sentences quote it (``'idle'``; an empty label reads ``(no label)``)."""
    return repr(label) if label else "(no label)"


def _record_name(backend: Backend, sample_id: int):
    record = backend.get_sample(sample_id)
    if record is None:
        return None, _not_found([sample_id])
    return record, sample_name({record.id: record.filename}, record.id)


def crop(backend: Backend, sample_id: int, start: int, end: int) -> EditReport:
    """Keep values ``start`` up to (not including) ``end`` of a time-series or audio sample,
    as one undoable step.
    """
    action = "Crop"
    try:
        record, name = _record_name(backend, sample_id)
        if record is None:
            return EditReport(action, name, missing=[sample_id])
        result = backend.crop(sample_id, start, end)
    except _USER_ERRORS as exc:
        return EditReport(action, _error_text(exc), error=_error_text(exc))
    if result.matched == 0:
        return EditReport(action, _not_found([sample_id]), missing=[sample_id])
    kept = end - start
    message = (
        f"Cropped {name} to values {start:,} up to {end:,}"
        f" ({display.count(kept)} of {display.count(record.values_count)} kept)."
    )
    return EditReport(action, message, result.matched, result.changed, result.change_id)


def split(
    backend: Backend, sample_id: int, segments_ms: Sequence[tuple[float, float]]
) -> EditReport:
    """Split a time-series or audio sample into one new sample per millisecond range
    (``[(start, end), ...]``, end exclusive); the original is removed. One undoable step;
    :attr:`EditReport.created` lists the new ids in range order.
    """
    action = "Split"
    try:
        record, name = _record_name(backend, sample_id)
        if record is None:
            return EditReport(action, name, missing=[sample_id])
        result = backend.segment(sample_id, [(float(a), float(b)) for a, b in segments_ms])
    except _USER_ERRORS as exc:
        return EditReport(action, _error_text(exc), error=_error_text(exc))
    if result.matched == 0:
        return EditReport(action, _not_found([sample_id]), missing=[sample_id])
    try:
        made = backend.get_samples(result.created)
    except BackendError:
        made = {}
    parts = ", ".join(
        sample_name({i: made[i].filename} if i in made else None, i) for i in result.created
    )
    message = f"Split {name} into {_samples(len(result.created))}: {parts}."
    return EditReport(
        action,
        message,
        result.matched,
        result.changed,
        result.change_id,
        created=list(result.created),
    )


def find_segments(
    backend: Backend, sample_id: int, segment_length_ms: float
) -> tuple[list[tuple[int, int]], Optional[str]]:
    """The events of a time-series or audio sample as millisecond ranges of
    ``segment_length_ms`` (see :mod:`ei_desktop.core.segments`), ready for :func:`split`;
    or no ranges and why (an unknown id, a sample without values…).
    """
    try:
        series = backend.load_series(sample_id)
        if series is None:
            if backend.get_sample(sample_id) is None:
                return [], _not_found([sample_id])
            return [], f"Sample {sample_id} has no values to find segments in"
        return segments.find_segments(series.values, series.interval_ms, segment_length_ms), None
    except (ValueError, BackendError) as exc:
        return [], _error_text(exc)


# -- the project's history -----------------------------------------------------------------


def _step(backend: Backend, redo: bool) -> EditReport:
    action = "Redo" if redo else "Undo"
    try:
        changeset = backend.redo() if redo else backend.undo()
    except NothingToUndo:
        text = f"Nothing to {action.lower()}."
        return EditReport(action, text, error=text)
    except CannotUndo as exc:
        text = f"Cannot undo this change: {_error_text(exc)}"
        return EditReport(action, text, error=text)
    except _USER_ERRORS as exc:
        return EditReport(action, _error_text(exc), error=_error_text(exc))
    done = "Redone" if redo else "Undone"
    return EditReport(
        action,
        f"{done}: {changeset.what.rstrip('.')}.",
        matched=changeset.samples,
        changed=changeset.samples,
        change_id=changeset.id,
    )


def undo(backend: Backend) -> EditReport:
    """Revert the latest change that is not undone yet ("Undone: Label 'idle' on 3 samples.");
    :attr:`EditReport.error` says "Nothing to undo." when there is none.
    """
    return _step(backend, redo=False)


def redo(backend: Backend) -> EditReport:
    """Apply again the change undone last ("Redone: …"); only until another change is made."""
    return _step(backend, redo=True)


def history(backend: Backend, limit: int = 50) -> list[ChangeSet]:
    """The latest changes, newest first, undone ones included (flagged).

    Raises:
        BackendError: the project could not be read.
    """
    return backend.history(limit)


def summary(backend: Backend) -> Summary:
    """Counts and durations per category and label, and the train/test ratio.

    Raises:
        BackendError: the project could not be read.
    """
    return backend.summary()


def metadata_values(backend: Backend) -> dict[str, list[str]]:
    """Every metadata key of the project with its distinct values, sorted (for filter and
    edit choices).

    Raises:
        BackendError: the project could not be read.
    """
    return backend.metadata_values()
