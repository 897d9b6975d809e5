"""The reference's CSV layouts: nested extracts / reductions flattened into ``data.a.b`` columns.

A cell holds a scalar as text or a list / dict as its Python literal (``[[0, 10.5]]``), as pandas
writes them in the reference; empty cells are absent values. Columns come in order of first
appearance, within a row the scalars of a dict before its nested dicts (``pandas.json_normalize``'s
order). Files are written whole or not at all (a temporary file renamed over the target).
"""
import ast
import csv
import functools
import io
import math
import os
import sys

from .. import _core
from .._files import atomic_write
from ..errors import GalforgeFileNotFoundError, GalforgeValueError
from .texts import loads, value_text

_NAMES = {"nan": None, "null": None, "None": None, "true": True, "false": False, "True": True, "False": False,
          "inf": math.inf}


def read_rows(path):
    """Rows of a CSV file as dicts of strings (``csv.DictReader``'s)."""
    limit = min(sys.maxsize, 2**31 - 1)
    csv.field_size_limit(limit)
    if not os.path.isfile(path):
        raise GalforgeFileNotFoundError(f"CSV file {str(path)!r} does not exist")
    with open(path, "rb") as f:  # the core decodes the cells (UTF-8, strictly), not the whole text first
        data = f.read()
    rows = split_rows(data) if len(data) < limit else None
    if rows and all(len(row) == len(rows[0]) for row in rows):
        return [dict(zip(rows[0], row)) for row in rows[1:]]
    with open(path, newline="", encoding="utf-8") as f:  # the reader is slower on a StringIO
        return list(csv.DictReader(f))


def split_rows(text):
    """``list(csv.reader(...))`` of a whole file's text when :func:`csv_line` writes the rows back
    as ``text`` (a str, or UTF-8 bytes: each cell decoded strictly, UnicodeDecodeError otherwise;
    the reader reads back what the writer writes: these are its rows); else None.

    One pass of the C++ core: a cell in quotes must be one the writer quotes (holding ``,`` ``"`` or
    a newline), the quotes around it whole, its quotes doubled; other cells hold no quote. Text with
    a ``\\r`` or NUL, not ending in a newline, or with a row of fewer than two cells (the writer's
    rules differ there) declines."""
    return _core.split_rows(text)


def flatten(data, prefix="data"):
    """``{'frame0': {'a': [1]}, 'v': '5'}`` -> ``[('data.v', '5'), ('data.frame0.a', [1])]``; empty dicts vanish."""
    flat, nested = [], []
    for key, value in data.items():
        (nested if isinstance(value, dict) else flat).append((f"{prefix}.{key}", value))
    out = list(flat)
    for key, value in nested:
        out += flatten(value, key)
    return out


class _Literals(ast.NodeTransformer):
    def visit_Name(self, node):
        if node.id in _NAMES:
            return ast.copy_location(ast.Constant(_NAMES[node.id]), node)
        raise ValueError(f"name {node.id!r}")


def literal(text):
    """A cell's value: list / dict literals (``nan`` / ``null`` read as None), numbers, booleans, text."""
    if "[" in text or "{" in text:
        try:  # lists of numbers are JSON too, and a JSON parser is 50-150x faster than the ast path
            return loads(text)
        except ValueError:
            pass
        try:
            return ast.literal_eval(_Literals().visit(ast.parse(text, mode="eval")))
        except (ValueError, SyntaxError, TypeError):
            return text
    return _scalar(text) if len(text) <= 64 else _scalar.__wrapped__(text)


@functools.lru_cache(maxsize=4096)  # the same few short texts (versions, flags) on every row; values immutable
def _scalar(text):
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def unflatten(row, prefix="data", paths=False):
    """The nested dict of a row's non-empty ``data.*`` cells (text is read by :func:`literal`; other
    values are taken as they are, None and NaN as empty cells). With ``paths``, drawing paths
    (``*_pathX`` / ``*_pathY`` cells holding lists of lists of numbers as ``str`` writes them) become
    lists of float64 arrays, read by the C++ core (the same numbers, for the polygon reducers)."""
    out, start = {}, prefix + "."
    for name, text in row.items():
        if name is None or not name.startswith(start):
            continue
        if isinstance(text, str):
            if text == "":
                continue
            value = None
            if paths and text[:2] == "[[" and name[-6:] in ("_pathX", "_pathY"):
                value = _core.parse_number_lists(text)
            if value is None:
                value = literal(text)
        elif _empty(text):
            continue
        else:
            value = text
        *path, last = name[len(start):].split(".")
        node = out
        for key in path:
            node = node.setdefault(key, {})
        node[last] = value
    return out


def _empty(value):
    if isinstance(value, float):
        return math.isnan(value)
    return value is None or (isinstance(value, str) and value == "")


def cell_text(value):
    """The text of a value in a CSV cell (``str``; None and NaN as empty cells)."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return value_text(value)


def csv_line(cells):
    """``csv.writer(f, lineterminator="\\n").writerow(cells)``'s text for a list of ``str`` (20x faster):
    a cell holding ``,`` ``"`` or a newline is quoted, its quotes doubled; rows where the writer's rules
    differ between Python versions or from this one (a ``\\r`` or NUL, fewer than two cells) go to it."""
    line = ",".join(['"' + s.replace('"', '""') + '"' if "," in s or '"' in s or "\n" in s else s for s in cells])
    if len(cells) < 2 or "\r" in line or "\0" in line:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow(cells)
        return buffer.getvalue()
    return line + "\n"


def write_rows(path, rows):
    """Write ``rows`` (lists of (column, value) tuples) atomically (renamed into place, not fsync'ed);
    columns in order of first appearance, cells as :func:`cell_text` gives them, lines as :func:`csv_line`
    writes them (the C++ core's ``csv_text`` writes the whole text at once, lists of numbers straight
    from their values; where ``csv_line`` would leave rows to ``csv.writer`` it declines and they are)."""
    columns = {}
    for row in rows:
        for name, _ in row:
            columns.setdefault(name, None)

    def write(f):
        text = _core.csv_text(list(columns), rows, cell_text)  # one pass in C++: the same text
        if text is None:  # a \r or NUL in a cell, fewer than two columns, text UTF-8 cannot encode
            lines = [csv_line(list(columns))]
            for row in rows:
                cells = dict(row)
                lines.append(csv_line([cell_text(cells.get(name)) for name in columns]))
            text = "".join(lines)
        f.write(text)

    atomic_write(path, write, durable=False)  # as the reference (pandas): no fsync, 2-7 ms a file


def load_yaml(path):
    """A configuration file (YAML; needs PyYAML)."""
    try:
        import yaml
    except ImportError:
        raise GalforgeValueError("reading configuration files needs PyYAML: pip install 'galforge[zooniverse]'") from None
    if not os.path.isfile(path):
        raise GalforgeFileNotFoundError(f"configuration file {str(path)!r} does not exist")
    with open(path, encoding="utf-8") as f:
        try:
            config = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml's when built
        except yaml.YAMLError as exc:
            raise GalforgeValueError(f"configuration file {str(path)!r} is not valid YAML: {exc}") from None
    if not isinstance(config, dict):
        raise GalforgeValueError(f"configuration file {str(path)!r} must hold a mapping, got {type(config).__name__}")
    return config
