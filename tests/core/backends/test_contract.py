"""One contract, two backends: every behaviour here holds for a local project used directly
and for the HTTP backend talking to ``ei-desktop serve`` over loopback."""

from __future__ import annotations

import json

from ei_desktop.core.backends.base import DownloadedSample, SampleQuery, UploadItem
from ei_desktop.core.progress import CancelToken


def csv(name: str, seed: int, **kwargs) -> UploadItem:
    body = f"timestamp,x,y\n0,{seed},1\n10,{seed + 1},2\n20,{seed + 2},3\n".encode()
    return UploadItem(filename=name, source=body, **kwargs)


def test_every_kind_is_stored_with_its_shape(backend, samples_dir):
    names = ["wave.01.json", "idle.0.cbor", "hadouken.01.wav", "capacitor.01.png"]
    items = [UploadItem(n, samples_dir / n, category="training") for n in names]
    items.append(UploadItem("row.csv", b"A,B,C\n1,4,2\n", category="testing"))
    results = backend.upload(items)
    assert [r.success for r in results] == [True] * 5, [r.error for r in results]
    records = backend.get_samples(r.sample_id for r in results)
    kinds = [records[r.sample_id].kind for r in results]
    assert kinds == ["timeseries", "timeseries", "audio", "image", "table"]
    wave = records[results[0].sample_id]
    assert wave.filename == "wave.01" and wave.label == "wave"
    assert [s.name for s in wave.sensors] == ["accX", "accY", "accZ"] and wave.values_count == 4
    assert records[results[2].sample_id].sensors[0].units == "wav"
    image = records[results[3].sample_id]
    assert (image.width, image.height) != (None, None) and image.interval_ms == 0
    assert records[results[4].sample_id].interval_ms > 0


def test_labels_metadata_boxes_and_segments_round_trip(backend):
    boxes = [{"label": "cap", "x": 1, "y": 2, "width": 3, "height": 4}]
    segments = [
        {"label": "idle", "startIndex": 0, "endIndex": 0},
        {"label": "move", "startIndex": 1, "endIndex": 2},
    ]
    results = backend.upload(
        [
            csv("inferred.01.csv", 1),
            csv("nolabel.csv", 2, label=""),
            csv("odd.csv", 3, label='naïve "q" 🚀 a/b %41 &x'),
            csv("meta.csv", 4, metadata={"site": "lab", "n": 5}),
            csv("boxes.csv", 5, bounding_boxes=boxes),
            csv("multi.csv", 6, structured_labels=segments),
        ]
    )
    assert all(r.success for r in results), [r.error for r in results]
    records = backend.get_samples([r.sample_id for r in results])
    got = [records[r.sample_id] for r in results]
    assert [g.label for g in got[:3]] == ["inferred", "", 'naïve "q" 🚀 a/b %41 &x']
    assert got[0].metadata is None
    assert got[3].metadata == {"site": "lab", "n": "5"}
    assert got[4].bounding_boxes == boxes
    assert got[5].structured_labels == segments and got[5].label == "idle"


def test_duplicates_are_refused_unless_allowed(backend):
    assert backend.upload([csv("a.csv", 1)])[0].success
    refused = backend.upload([csv("b.csv", 1), csv("c.csv", 9), csv("d.csv", 9)])
    assert [r.success for r in refused] == [False, True, False]
    assert refused[0].error.startswith("An item with this hash already exists")
    assert refused[2].error.startswith("An item with this hash already exists")
    assert backend.upload([csv("e.csv", 1)], allow_duplicates=True)[0].success
    assert backend.count(SampleQuery()) == 3


def test_a_bad_file_fails_alone_with_its_reason(backend):
    results = backend.upload(
        [csv("good.csv", 1), UploadItem("bad.csv", b"timestamp,x\n0,zz\n"), csv("fine.csv", 2)]
    )
    assert [r.success for r in results] == [True, False, True]
    assert results[1].error.startswith("Could not parse this CSV file")
    assert "'zz' is not a number" in results[1].error


def test_split_resolves_to_training_or_testing(backend):
    results = backend.upload([csv(f"s{i}.csv", i, category="split") for i in range(20)])
    categories = {r.sample_id: r.category for r in results}
    listed = {i.sample_id: i.category for i in backend.sample_infos(SampleQuery())}
    assert set(listed.values()) <= {"training", "testing"}
    assert categories == listed


def seed_listing(backend) -> None:
    items = [csv(f"wave.{i:02d}.csv", i, category="training", label="wave") for i in range(7)]
    items += [csv(f"idle.{i:02d}.csv", 50 + i, category="testing", label="idle") for i in range(3)]
    items += [csv("a&b=c#d+e %.csv", 90, category="anomaly", label="odd")]
    assert all(r.success for r in backend.upload(items))


def test_counts_and_filters(backend):
    seed_listing(backend)
    assert backend.count(SampleQuery()) == 11
    assert backend.count(SampleQuery(category="training")) == 7
    assert backend.count(SampleQuery(labels=("idle", "odd"))) == 4
    assert backend.count(SampleQuery(filename="WAVE.0")) == 7
    assert backend.count(SampleQuery(filename="a&b=c#d+e %")) == 1
    assert backend.count(SampleQuery(category="validation")) == 0
    assert backend.label_counts() == {
        ("training", "wave"): 7,
        ("testing", "idle"): 3,
        ("anomaly", "odd"): 1,
    }


def test_listing_is_newest_first_and_pages_by_offset(backend):
    seed_listing(backend)
    everything = backend.list_samples(SampleQuery(), limit=100)
    ids = [r.id for r in everything]
    assert ids == sorted(ids, reverse=True)
    paged = []
    for offset in range(0, 11, 4):
        paged += [r.id for r in backend.list_samples(SampleQuery(), offset=offset, limit=4)]
    assert paged == ids
    assert list(backend.sample_ids(SampleQuery(category="training"))) == [
        r.id for r in everything if r.category == "training"
    ]
    infos = backend.sample_infos(SampleQuery(labels=("idle",)))
    assert {i.filename for i in infos} == {"idle.00", "idle.01", "idle.02"}
    streamed = [r.id for r in backend.iter_samples(SampleQuery(), page_size=3)]
    assert streamed == ids


def test_sorting_by_name(backend):
    seed_listing(backend)
    names = [
        r.filename for r in backend.list_samples(SampleQuery(sort="filename", descending=False))
    ]
    assert names == sorted(names)


def test_content_and_download(backend, samples_dir):
    items = [
        UploadItem("capacitor.01.png", samples_dir / "capacitor.01.png"),
        UploadItem("hadouken.01.wav", samples_dir / "hadouken.01.wav"),
        UploadItem("wave.01.json", samples_dir / "wave.01.json"),
    ]
    png, wav, wave = (r.sample_id for r in backend.upload(items))
    assert backend.load_bytes(png) == (samples_dir / "capacitor.01.png").read_bytes()
    series = backend.load_series(wave)
    original = json.loads((samples_dir / "wave.01.json").read_text())["payload"]
    assert series.values.tolist() == original["values"]
    assert backend.load_series(wav).values.shape[1] == 1
    assert backend.get_sample(424242) is None
    downloaded = backend.download([wave, 424242, png, wav])
    assert downloaded[1] is None
    assert all(
        isinstance(d, DownloadedSample) for d in (downloaded[0], downloaded[2], downloaded[3])
    )
    assert [d.filename for d in (downloaded[0], downloaded[2], downloaded[3])] == [
        "wave.01.json",
        "capacitor.01.png",
        "hadouken.01.wav",
    ]
    doc = json.loads(downloaded[0].data)
    assert doc["payload"]["values"] == original["values"]
    assert doc["payload"]["interval_ms"] == original["interval_ms"]
    assert downloaded[2].data == (samples_dir / "capacitor.01.png").read_bytes()
    assert downloaded[3].data == (samples_dir / "hadouken.01.wav").read_bytes()


def test_deletes(backend):
    seed_listing(backend)
    ids = list(backend.sample_ids(SampleQuery(category="testing")))
    assert backend.delete([ids[0], 999999]) == [True, False]
    assert backend.get_sample(int(ids[0])) is None
    assert backend.delete_all("testing") == 2
    assert backend.count(SampleQuery(category="testing")) == 0
    assert backend.count(SampleQuery()) == 8
    assert backend.delete_all() == 8
    assert backend.count(SampleQuery()) == 0


def test_cancel_stops_an_upload_between_items(backend):
    token = CancelToken()

    def progress(update):
        if update.done >= 1:
            token.cancel()

    results = backend.upload(
        [csv(f"c{i}.csv", i) for i in range(400)], progress=progress, cancel=token
    )
    assert 1 <= len(results) < 400
    assert backend.count(SampleQuery()) == sum(r.success for r in results)
