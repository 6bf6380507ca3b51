from __future__ import annotations

import numpy as np
import pytest

from ei_desktop.gui.widgets.envelope import Envelope


def test_every_window_of_a_level_keeps_the_true_extremes():
    rng = np.random.default_rng(3)
    rows = 300_001  # not a whole number of blocks: the tail counts too
    values = rng.normal(size=(rows, 2))
    envelope = Envelope(values)
    assert len(envelope.levels) >= 2

    for start, stop in [(0, rows), (12_345, 250_000), (rows - 50_000, rows)]:
        for column in range(2):
            x, y = envelope.window(column, start, stop, pixels=500)
            assert len(x) < 5_000
            inside = values[start:stop, column]
            # the blocks drawn cover the window, so its extremes are among their strokes
            assert y.min() <= inside.min() and y.max() >= inside.max()
            coarsest = envelope.levels[-1][0]
            assert x[0] <= start + coarsest and x[-1] >= stop - 1 - coarsest
    assert envelope.y_bounds == (values.min(), values.max())


def test_a_narrow_window_is_the_raw_values_without_copies():
    values = np.arange(100_000, dtype=np.float32).reshape(-1, 1) * 0.5
    envelope = Envelope(values)

    x, y = envelope.window(0, 500.2, 900.7, pixels=800)

    assert x[0] == 499 and x[-1] == 902
    np.testing.assert_array_equal(y, values[499:903, 0])
    assert np.shares_memory(y, values)


def test_missing_and_infinite_values_do_not_hide_the_others():
    values = np.linspace(-2, 2, 200_000).reshape(-1, 1).copy()
    values[::3] = np.nan
    values[5] = np.inf
    values[:64] = np.nan  # whole blocks of nothing stay gaps
    envelope = Envelope(values)

    assert envelope.y_bounds[0] == pytest.approx(-2, abs=2e-3)
    assert envelope.y_bounds[1] == pytest.approx(2)
    _x, y = envelope.window(0, 0, len(values), pixels=400)
    assert np.isnan(y[:2]).all()
    assert np.nanmax(y[2:]) == pytest.approx(2) and np.nanmin(y[4:]) >= -2


def test_nothing_finite_has_no_bounds_and_short_signals_no_levels():
    assert Envelope(np.full((10, 2), np.nan)).y_bounds is None
    short = Envelope(np.array([1.0, 3.0, 2.0]))
    assert short.levels == [] and short.y_bounds == (1.0, 3.0)
    x, y = short.window(0, -5, 10, pixels=100)
    assert list(x) == [0, 1, 2] and list(y) == [1.0, 3.0, 2.0]
    assert [len(a) for a in short.window(0, 50, 60, pixels=100)] == [0, 0]
