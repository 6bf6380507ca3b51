"""Min/max envelopes of signal columns at several resolutions, to draw millions of points.

Computing an :class:`Envelope` reads every value once (tens of milliseconds per million
rows), so the preview job builds it off the UI thread. Drawing then asks :meth:`Envelope.window`
for the part in view: a few points per pixel whatever the sample's length, and the raw values
themselves once zoomed in far enough to tell them apart. No Qt here: plain numpy.
"""

from __future__ import annotations

import numpy as np

#: rows per block of the finest level: the pyramid takes 1/6 of the values' memory, and raw
#: values are drawn until more than this many fall on one pixel
FIRST_BLOCK = 16
#: each level's blocks hold this many of the level below's
LEVEL_FACTOR = 4
#: levels stop once this few blocks are left (a screenful)
MIN_BLOCKS = 1024


def _reduce(values: np.ndarray, block: int, ufunc: np.ufunc) -> np.ndarray:
    """``ufunc`` (``np.fmin``/``np.fmax``: NaN ignored) over consecutive blocks of rows."""
    rows, columns = values.shape
    whole = rows // block
    result = np.empty((whole + (rows % block > 0), columns), dtype=values.dtype)
    # column by column: reducing all columns of a row-major array at once is ~3x slower
    for column in range(columns):
        values_of = values[:, column]
        ufunc.reduce(
            values_of[: whole * block].reshape(whole, block), axis=1, out=result[:whole, column]
        )
        if rows % block:
            result[whole, column] = ufunc.reduce(values_of[whole * block :])
    return result


class Envelope:
    """The min/max pyramid of the columns of ``values`` (rows × columns, not copied).

    ``levels`` are ``(block, mins, maxs)`` from fine to coarse, ``mins``/``maxs`` being
    blocks × columns; ``y_bounds`` is the finite ``(low, high)`` of every column, or ``None``
    when no value is finite.
    """

    def __init__(self, values: np.ndarray) -> None:
        values = np.asarray(values)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
        self.values = values
        self.rows, self.columns = values.shape
        self.levels: list[tuple[int, np.ndarray, np.ndarray]] = []
        mins = maxs = values
        block, step = 1, FIRST_BLOCK
        with np.errstate(invalid="ignore"):
            while self.rows // (block * step) >= MIN_BLOCKS:
                mins, maxs = _reduce(mins, step, np.fmin), _reduce(maxs, step, np.fmax)
                block *= step
                step = LEVEL_FACTOR
                self.levels.append((block, mins, maxs))
        # the coarsest level (or the values themselves) is small: finite bounds from it
        self.column_bounds = [
            self._finite_bounds(mins[:, column], maxs[:, column]) for column in range(self.columns)
        ]
        known = [b for b in self.column_bounds if b is not None]
        self.y_bounds = (min(b[0] for b in known), max(b[1] for b in known)) if known else None

    @staticmethod
    def _finite_bounds(mins: np.ndarray, maxs: np.ndarray) -> tuple[float, float] | None:
        low, high = mins[np.isfinite(mins)], maxs[np.isfinite(maxs)]
        if len(low) == 0 or len(high) == 0:
            return None
        return float(low.min()), float(high.max())

    def window(
        self, column: int, start: float, stop: float, pixels: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``(x, y)`` to draw ``column`` between rows ``start`` and ``stop`` on a view
        ``pixels`` wide: the raw values (views of the column, not copies) when few enough fall
        on a pixel, else each block's min and max of the level with at least one block per
        pixel. A margin of one point each side keeps the line going off the edges.
        """
        pixels = max(int(pixels), 1)
        first = max(int(np.floor(start)) - 1, 0)
        last = min(int(np.ceil(stop)) + 2, self.rows)
        if last <= first:
            return np.empty(0), np.empty(0)
        span = last - first
        chosen = None
        for level in self.levels:
            if span / level[0] >= pixels:
                chosen = level
        if chosen is None:
            x = np.arange(first, last, dtype=np.int32 if self.rows < 2**31 else np.int64)
            return x, self.values[first:last, column]
        block, mins, maxs = chosen
        low, high = max(first // block - 1, 0), min(-(-last // block) + 1, len(mins))
        y = np.empty(2 * (high - low), dtype=np.result_type(mins.dtype, np.float32))
        y[0::2] = mins[low:high, column]
        y[1::2] = maxs[low:high, column]
        # each block is a vertical stroke from its min to its max, at its middle
        centres = np.arange(low, high, dtype=np.float64) * block + (block - 1) / 2
        centres[-1] = min(centres[-1], self.rows - 1)
        return np.repeat(centres, 2), y
