from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from ei_desktop.core import formats


def _load_builder():
    """Import build_corpus.py next to this file, whatever the test package layout."""
    path = Path(__file__).with_name("build_corpus.py")
    spec = importlib.util.spec_from_file_location("ei_desktop_test_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_corpus = _load_builder().build_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    started = time.perf_counter()
    expected = build_corpus(directory)
    return directory, expected, time.perf_counter() - started


def test_corpus_is_big_enough_and_small(corpus):
    directory, expected, _ = corpus
    files = [path for path in directory.rglob("*") if path.is_file()]
    assert len(files) == len(expected) >= 40
    assert sum(1 for problem in expected.values() if problem) >= 40
    assert sum(path.stat().st_size for path in files) < 2 * 1024 * 1024
    assert all(problem == problem.lower() for problem in expected.values())


def test_every_corpus_file_parses_or_fails_as_expected(corpus):
    directory, expected, _ = corpus
    surprises = []
    for relative, problem in sorted(expected.items()):
        path = directory.joinpath(*relative.split("/"))
        try:
            sample = formats.parse(path.name, path.read_bytes(), with_values=True)
        except formats.FormatError as error:
            if not problem or problem not in str(error).lower():
                surprises.append(f"{relative}: refused with {error!s}")
            continue
        if problem:
            surprises.append(f"{relative}: accepted, expected an error about {problem!r}")
        elif sample.values_count < 1:
            surprises.append(f"{relative}: accepted with no values")
    assert surprises == []


def test_valid_corpus_files_keep_their_awkward_names(corpus):
    directory, expected, _ = corpus
    valid = {relative for relative, problem in expected.items() if not problem}
    assert {"names/we..ird.csv", "names/emoji 🚀 wave.cbor", "names/ünïcödé-日本語.png"} <= valid
    for relative in valid:
        assert directory.joinpath(*relative.split("/")).is_file()
