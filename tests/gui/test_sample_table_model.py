"""The lazy table model: ids from the backend, rows fetched only when painted, sorting and
filtering done by the backend, refreshes that keep the selection.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from gui_helpers import seed_csv, seed_many
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView

from ei_desktop.core.backends.base import SampleQuery
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.gui.jobs.runner import JobRunner
from ei_desktop.gui.models.sample_table import COLUMNS, LOADING, RecordRole, SampleTableModel
from ei_desktop.gui.widgets.sample_table import SampleTableView


class CountingBackend:
    """A real backend that counts the records it hands out."""

    def __init__(self, inner):
        self.inner = inner
        self.fetched: list[int] = []
        self.lock = threading.Lock()

    def get_samples(self, ids):
        ids = list(ids)
        with self.lock:
            self.fetched.extend(ids)
        return self.inner.get_samples(ids)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def runner():
    runner = JobRunner()
    yield runner
    runner.wait_all(timeout_s=20, cancel=True)


@pytest.fixture
def big(tmp_path_factory):
    directory = tmp_path_factory.mktemp("big") / "project"
    seed_many(directory, 5000)
    backend = LocalBackend(directory, create=True)
    yield backend
    backend.close()


def listed(qtbot, model, backend, query=None):
    with qtbot.waitSignal(model.listingFinished, timeout=15000):
        model.set_backend(backend, query)


def test_row_count_comes_from_the_ids_and_nothing_is_fetched_until_painted(qtbot, runner, big):
    backend = CountingBackend(big)
    model = SampleTableModel(runner)
    listed(qtbot, model, backend)
    assert model.rowCount() == 5000
    first_page = list(backend.fetched)
    assert first_page == []  # the first page came with list_samples, not get_samples
    # flags and the id role never fetch, even over every row
    for row in range(0, 5000, 50):
        assert model.flags(model.index(row, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert backend.fetched == []
    # a row far down shows a placeholder, then its record
    index = model.index(4321, 1)
    assert model.data(index) == LOADING
    qtbot.waitUntil(lambda: model.data(index) not in (LOADING,), timeout=5000)
    expected = big.list_samples(SampleQuery(), offset=4321, limit=1)[0]
    assert model.data(index) == expected.filename
    assert model.data(model.index(4321, 0)) == str(expected.id)
    # only the chunk around that row was read
    assert 0 < len(backend.fetched) <= SampleTableModel.CHUNK


def test_sorting_asks_the_backend(qtbot, runner, project):
    model = SampleTableModel(runner)
    listed(qtbot, model, project)
    name_column = [c.sort for c in COLUMNS].index("filename")
    with qtbot.waitSignal(model.listingFinished, timeout=10000):
        model.sort(name_column, Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "filename" and not model.query.descending
    expected = project.sample_ids(SampleQuery(sort="filename", descending=False))
    assert np.array_equal(model.ids, expected)
    names = [r.filename for r in project.list_samples(model.query, limit=30)]
    assert names == sorted(names)


def test_an_unsortable_column_is_refused(qtbot, runner, project):
    model = SampleTableModel(runner)
    listed(qtbot, model, project)
    sensors_column = [c.title for c in COLUMNS].index("Sensors")
    with qtbot.waitSignal(model.sortRejected, timeout=1000):
        model.sort(sensors_column, Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "id"


def test_filtering_asks_the_backend(qtbot, runner, project):
    model = SampleTableModel(runner)
    listed(qtbot, model, project)
    with qtbot.waitSignal(model.listingFinished, timeout=10000):
        model.set_query(SampleQuery(labels=("wave",)))
    assert model.rowCount() == 10
    assert np.array_equal(model.ids, project.sample_ids(SampleQuery(labels=("wave",))))
    with qtbot.waitSignal(model.listingFinished, timeout=10000):
        model.set_query(SampleQuery(filename="idle.0000"))
    assert model.rowCount() == 4  # idle.00000, 00003, 00006, 00009


def test_a_big_listing_shows_its_first_page_before_all_ids(qtbot, runner, big):
    model = SampleTableModel(runner)
    resets = []
    model.modelReset.connect(lambda: resets.append(model.rowCount()))
    inserted = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    listed(qtbot, model, big, SampleQuery(filename="walk"))
    count = big.count(SampleQuery(filename="walk"))
    assert count > 200
    # the first page arrived alone (200 rows), the rest was appended without a reset
    assert resets[-1] == 200
    assert inserted == [(200, count - 1)]
    assert model.rowCount() == count


def test_records_are_cached_within_a_bound(qtbot, runner, big, monkeypatch):
    monkeypatch.setattr(SampleTableModel, "CACHE_LIMIT", 300)
    model = SampleTableModel(runner)
    listed(qtbot, model, big)
    for row in (1000, 2000, 3000):
        index = model.index(row, 1)
        model.data(index)
        qtbot.waitUntil(lambda index=index: model.data(index) != LOADING, timeout=5000)
    assert len(model._cache) <= 300


def test_refresh_keeps_selection_and_scroll_where_rows_remain(qtbot, runner, tmp_path):
    backend = LocalBackend(tmp_path / "p", create=True)
    try:
        ids = seed_csv(backend, 300)
        model = SampleTableModel(runner)
        view = SampleTableView(model)
        qtbot.addWidget(view)
        view.resize(800, 400)
        view.show()
        listed(qtbot, model, backend)
        keep = [ids[100], ids[150]]
        view.select_ids(keep + [ids[120]], current=ids[150])
        view.scrollTo(view.index_for_id(ids[160]), QAbstractItemView.ScrollHint.PositionAtTop)
        top_before = model.sample_id(view.rowAt(0))
        backend.delete([ids[120], ids[299], ids[298]])
        with qtbot.waitSignal(model.listingFinished, timeout=10000):
            model.refresh()
        assert model.rowCount() == 297
        assert sorted(view.selected_ids().tolist()) == sorted(keep)
        assert view.current_id() == ids[150]
        qtbot.waitUntil(lambda: model.sample_id(view.rowAt(0)) == top_before, timeout=3000)
    finally:
        backend.close()


def test_deleted_rows_show_as_deleted_not_forever_loading(qtbot, runner, project):
    model = SampleTableModel(runner)
    listed(qtbot, model, project)
    gone = model.sample_id(5)
    model.forget([gone])
    project.delete([gone])
    index = model.index(5, 1)
    model.data(index)
    qtbot.waitUntil(lambda: model.data(index) == "(deleted)", timeout=5000)
    assert model.data(model.index(5, 0), RecordRole) is None


def test_a_failing_backend_reports_and_keeps_the_old_rows(qtbot, runner, project):
    from ei_desktop.core.backends.base import BackendError

    class Broken(CountingBackend):
        def sample_ids(self, query):
            raise BackendError("Cannot reach 127.0.0.1:9: Connection refused")

    model = SampleTableModel(runner)
    listed(qtbot, model, project)
    rows = model.rowCount()
    model._backend = Broken(project)
    with qtbot.waitSignal(model.listingFailed, timeout=5000) as blocker:
        model.refresh()
    assert "Connection refused" in blocker.args[0]
    assert model.rowCount() == rows
    assert not model.loading
    assert model.rowCount(model.index(0, 0)) == 0 and model.columnCount(QModelIndex()) == len(
        COLUMNS
    )
