"""Deep pages by offset of a local project come from a kept list of the listing's ids: the
same pages as SQLite's OFFSET, and never a page of how the project was before a change,
whoever made it (this backend, another one in this process, another process)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ei_desktop.core.backends import local_offsets
from ei_desktop.core.backends.base import SampleQuery, UploadItem
from ei_desktop.core.backends.local import LocalBackend
from ei_desktop.core.edits import SetEnabled, SetLabel

DEEP = 3


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setattr(local_offsets, "DEEP_OFFSET", DEEP)
    monkeypatch.setattr("ei_desktop.core.backends.local.DEEP_OFFSET", DEEP)
    local = LocalBackend(tmp_path / "project", create=True)
    items = [
        UploadItem(f"{label}.{n}.csv", f"timestamp,x\n0,{n}\n10,{n}\n".encode(), category)
        for n, (label, category) in enumerate(
            [("walk", "training"), ("idle", "testing"), ("walk", "training")] * 6
        )
    ]
    assert all(r.success for r in local.upload(items))
    yield local
    local.close()


def offset_pages(local: LocalBackend, query: SampleQuery, size: int) -> list[list[int]]:
    """Every page of ``query`` by offset, as ids, from each of the three page readers."""
    pages = []
    offset = 0
    while True:
        records = [r.id for r in local.list_samples(query, offset=offset, limit=size)]
        infos = [i.sample_id for i in local.sample_infos(query, offset=offset, limit=size)]
        import orjson

        columns = orjson.loads(local.sample_info_columns(query, offset=offset, limit=size))
        assert records == infos == columns["id"], (query, offset)
        if not records:
            return pages
        pages.append(records)
        offset += size


def expected(local: LocalBackend, query: SampleQuery, size: int) -> list[list[int]]:
    ids = local.sample_ids(query).tolist()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@pytest.mark.parametrize(
    "query",
    [
        SampleQuery(),
        SampleQuery(descending=False),
        SampleQuery(category="training"),
        SampleQuery(labels=("walk",), descending=False),
        SampleQuery(min_id=5, max_id=15),
        SampleQuery(sort="filename"),
    ],
    ids=["newest-first", "oldest-first", "category", "label", "id-range", "by-name"],
)
def test_deep_pages_are_the_offset_pages(project, query):
    for size in (1, 2, 5):
        assert offset_pages(project, query, size) == expected(project, query, size)
    assert project.list_samples(query, offset=1000, limit=5) == []


def test_a_change_by_this_backend_is_in_the_next_deep_page(project):
    query = SampleQuery(labels=("walk",))
    before = offset_pages(project, query, 2)
    assert before == expected(project, query, 2)  # the ids are kept now
    project.edit(SampleQuery(ids=(before[2][0],)), SetLabel("idle"))
    project.edit(SampleQuery(ids=(before[3][1],)), SetEnabled(False))
    stored = project.upload([UploadItem("walk.new.csv", b"timestamp,x\n0,1\n10,2\n")])
    after = offset_pages(project, query, 2)
    assert after == expected(project, query, 2) != before
    flat = [i for page in after for i in page]
    assert before[2][0] not in flat and before[3][1] not in flat
    assert stored[0].sample_id in flat


def test_a_change_by_another_connection_or_process_is_in_the_next_deep_page(project):
    query = SampleQuery(descending=False)
    before = offset_pages(project, query, 2)
    with LocalBackend(project.path) as other:
        other.delete([before[3][0]])
    between = offset_pages(project, query, 2)
    assert between == expected(project, query, 2)
    assert before[3][0] not in [i for page in between for i in page]
    script = (
        "import sys; from ei_desktop.core.backends.local import LocalBackend\n"
        "with LocalBackend(sys.argv[1]) as p: p.delete([int(sys.argv[2])])\n"
    )
    gone = between[4][1]
    subprocess.run([sys.executable, "-c", script, str(project.path), str(gone)], check=True)
    after = offset_pages(project, query, 2)
    assert after == expected(project, query, 2)
    assert gone not in [i for page in after for i in page]


def test_deep_pages_keep_the_bounds_of_the_query(project):
    ids = project.sample_ids(SampleQuery(descending=False)).tolist()
    for query in (
        SampleQuery(min_id=ids[6], descending=False),
        SampleQuery(max_id=ids[10]),
        SampleQuery(min_id=ids[2], max_id=ids[12]),
    ):
        assert offset_pages(project, query, 2) == expected(project, query, 2), query
