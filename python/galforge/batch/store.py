"""Results written in chunks, atomically, so that an interrupted batch resumes where it stopped.

While a batch runs, each chunk of finished rows becomes one file ``<out>.parts/part-NNNNNN.csv``,
written to a temporary file in the same folder and renamed over (``os.replace``, atomic on POSIX
and Windows): a crash or Ctrl-C loses at most the rows not yet in a chunk, never leaves a
half-written file. At the end the whole table is written to ``out`` (CSV) and, when pyarrow is
installed, to ``out`` with the suffix ``.parquet``, the same way; then the parts are removed.
Resuming reads ``out`` and the parts; their rows are kept and their ids skipped.

Cells: floats are written with ``repr`` (they read back bit for bit), a missing value as an empty cell.
"""
import csv
import glob
import importlib.util
import math
import os
import shutil

from .._files import atomic_path, atomic_write
from ..errors import GalforgeValueError

PARTS_SUFFIX = ".parts"


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _parse(text, kind, path, column):
    if kind is str:
        return text
    if text == "":
        return math.nan if kind is float else None
    try:
        return kind(text)
    except ValueError:
        raise GalforgeValueError(f"{path!r} column {column!r} holds {text!r}: expected a {kind.__name__}") from None


class ChunkStore:
    """The results table of one batch: ``columns`` is a list of (name, type) with type float, int or str,
    and rows are dicts keyed by those names, the first column being the object's id (a string)."""

    def __init__(self, out, columns, resume=False):
        self.out = os.fspath(out)
        self.columns = list(columns)
        self.names = [name for name, _ in self.columns]
        self.parts = self.out + PARTS_SUFFIX
        self._next = 0
        if not resume and os.path.isdir(self.parts):
            shutil.rmtree(self.parts)  # parts of an earlier run must not mix with this one

    def _read(self, path):
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header != self.names:
                raise GalforgeValueError(f"{path!r} has the columns {header}, expected {self.names}: it holds "
                                         "results of other settings; use another output path or resume=False")
            kinds = [kind for _, kind in self.columns]
            return [{name: _parse(text, kind, path, name) for name, kind, text in zip(self.names, kinds, cells)}
                    for cells in reader]

    def _part_files(self):
        return sorted(glob.glob(os.path.join(self.parts, "part-*.csv")))

    def done(self):
        """{id: row} of every row already written (final table first, then the parts)."""
        rows = {}
        if os.path.isfile(self.out):
            rows.update((r[self.names[0]], r) for r in self._read(self.out))
        for path in self._part_files():
            rows.update((r[self.names[0]], r) for r in self._read(path))
        return rows

    def _write_csv(self, path, rows):
        def write(f):
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(self.names)
            for row in rows:
                writer.writerow([_cell(row[name]) for name in self.names])

        atomic_write(path, write)

    def write_chunk(self, rows):
        """Write one chunk of rows as a new part file (atomically)."""
        if not rows:
            return
        os.makedirs(self.parts, exist_ok=True)
        existing = self._part_files()
        if existing:
            self._next = max(self._next, int(os.path.basename(existing[-1])[5:-4]) + 1)
        self._write_csv(os.path.join(self.parts, f"part-{self._next:06d}.csv"), rows)
        self._next += 1

    def finish(self, rows):
        """Write the complete table (CSV, and Parquet when pyarrow is installed); remove the parts.
        Returns the paths written."""
        self._write_csv(self.out, rows)
        written = [self.out]
        parquet = _parquet_path(self.out)
        if parquet is not None:
            _write_parquet(parquet, self.columns, rows)
            written.append(parquet)
        if os.path.isdir(self.parts):
            shutil.rmtree(self.parts)
        return written


def _parquet_path(out):
    """Where the Parquet copy goes, or None without pyarrow (optional: the CSV is always written)."""
    if importlib.util.find_spec("pyarrow") is None:
        return None
    return os.path.splitext(out)[0] + ".parquet"


def _write_parquet(path, columns, rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {float: pa.float64(), int: pa.int64(), str: pa.string()}
    table = pa.table({name: pa.array([r[name] for r in rows], type=types[kind]) for name, kind in columns})
    with atomic_path(path, suffix=".parquet.tmp") as tmp:
        pq.write_table(table, tmp)
