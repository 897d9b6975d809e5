"""Galaxy Builder classifications -> drawings in galforge conventions (data pixels, radians).

The workflow has four tasks (reference/rendering.md §1.4, gzb_aggregation.md §1): ``disk`` and
``bulge`` (ellipse tool ``{x, y, rx, ry, angle}``, display px, y down, angle in degrees), ``bar``
(rotated rectangle ``{x, y, width, height, angle}``, (x, y) the top-left corner) with slider
sub-tasks by position (disk ``[draw, scale, intensity]``, bulge ``[draw, scale, intensity, n]``,
bar ``[draw, scale, intensity, n, c]``), and ``spiral`` (freehand arms with ``details``
[intensity, spread], and one shared ``falloff`` slider). As the original parser: only the first
mark of disk/bulge/bar is used; ``r_e = major / 3`` (ellipse: semi-axis, bar: full side), disk
``r_e x 2``; ``ie = intensity / 1.6``; q > 1 never happens (q = minor / major); parameters are
clipped to the original bounds (disk q >= 0.25, n = 1; bulge q >= 0.6, c = 2; bar 0.05 <= q <= 0.5,
0.3 <= n <= 5, 1 <= c <= 6). The scale slider is ignored unless ``use_scale`` (published variant).

Display px (u, v) -> data px: ``x = u s - 0.5``, ``y = (D - v) s - 0.5`` with ``s = data width / D``
(D = 512, the drawing size), pixel centres at integers; ``half_pixel=False`` drops the -0.5 as the
original code did (its centres are +0.5 px off). Bad classifications (unreadable annotations,
missing tasks, non-finite or absurd sizes, arms of fewer than 2 points) are skipped and counted in
one :class:`~galforge.zooniverse.SkippedDataWarning`.
"""
import json
import math
from dataclasses import dataclass, field

import numpy as np

from ..conversions import from_galaxy_builder
from ..errors import GalforgeValueError
from ..zooniverse.skipped import SkipCounter

TASKS = ("disk", "bulge", "bar", "spiral")
DRAWING_SIZE = 512.0
# Original COMPONENT_PARAM_BOUNDS that bite (gzb_aggregation.md §1.4): (q, n, c) ranges.
_BOUNDS = {"disk": {"q": (0.25, 1.0), "n": (1.0, 1.0), "c": (2.0, 2.0)},
           "bulge": {"q": (0.6, 1.0), "n": (0.5, 5.0), "c": (2.0, 2.0)},
           "bar": {"q": (0.05, 0.5), "n": (0.3, 5.0), "c": (1.0, 6.0)}}
# A drawing whose major axis exceeds this many drawing widths is absurd (the canvas is 1 wide).
_MAX_SIZE = 4.0


@dataclass
class Drawing:
    """One volunteer's model in data pixels: ``disk``, ``bulge``, ``bar`` are galforge Sersic keyword
    dicts (x0, y0, ie, r_e, n, q, pa, c; None when not drawn) and ``arms`` a list of (k, 2) arrays of
    x, y points; ``arm_details`` their (intensity, spread) sliders, ``falloff`` the shared slider."""

    classification_id: object
    disk: dict = None
    bulge: dict = None
    bar: dict = None
    arms: list = field(default_factory=list)
    arm_details: list = field(default_factory=list)
    falloff: float = 1.0


class _Skip(Exception):
    pass


def _float(value, default=None):
    if value is None or value == "":
        return default
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise _Skip(f"unreadable slider value {value!r}") from None
    if not math.isfinite(v):
        raise _Skip("non-finite slider value")
    return v


def _sliders(task):
    """Slider values of a task by position (index 0 is the drawing sub-task)."""
    return [sub.get("value") if isinstance(sub, dict) else None for sub in task["value"]]


def _marks(task):
    first = task["value"][0] if task["value"] else None
    marks = first.get("value") if isinstance(first, dict) else None
    if not isinstance(marks, list):
        raise _Skip(f"malformed {task['task']} task")
    return marks


class Transform:
    """Display px <-> data px for a data image ``width`` px wide (square), drawn at ``drawing_size``."""

    def __init__(self, width, drawing_size=DRAWING_SIZE, half_pixel=True):
        self.scale = float(width) / float(drawing_size)
        self.drawing_size = float(drawing_size)
        self.offset = 0.5 if half_pixel else 0.0
        if not (math.isfinite(self.scale) and self.scale > 0):
            raise GalforgeValueError(f"width / drawing_size = {width!r} / {drawing_size!r} is invalid: expected > 0")

    def to_data(self, u, v):
        """Display (u, v), y down -> data (x, y), y up."""
        return u * self.scale - self.offset, (self.drawing_size - v) * self.scale - self.offset

    def to_display(self, x, y):
        """Data (x, y) -> display (u, v), the inverse of ``to_data``."""
        return (x + self.offset) / self.scale, self.drawing_size - (y + self.offset) / self.scale


def _ellipse(name, mark, sliders, transform, use_scale):
    """Ellipse mark {x, y, rx, ry, angle} (display px, deg) -> galforge Sersic keywords."""
    try:
        x, y, rx, ry, angle = (float(mark[k]) for k in ("x", "y", "rx", "ry", "angle"))
    except (KeyError, TypeError, ValueError):
        raise _Skip(f"malformed {name}") from None
    if not all(map(math.isfinite, (x, y, rx, ry, angle))):
        raise _Skip(f"non-finite {name}")
    major, minor = max(rx, ry), min(rx, ry)
    if not 0.0 < major <= _MAX_SIZE * transform.drawing_size or minor < 0.0:
        raise _Skip(f"absurd {name} size")
    scale = _float(sliders[1], 1.0) if use_scale and len(sliders) > 1 else 1.0
    intensity = _float(sliders[2]) if len(sliders) > 2 else None
    gz = {"roll": math.radians(angle + (90.0 if rx > ry else 0.0)),
          "Re": max(1e-5, major * scale) / 3.0 * transform.scale * (2.0 if name == "disk" else 1.0),
          "q": minor / major,
          "I": (intensity or 1.0 if intensity is not None else 0.2) / 1.6,
          "n": _float(sliders[3], 1.0) if len(sliders) > 3 and name != "disk" else 1.0,
          "c": _float(sliders[4], 2.0) if len(sliders) > 4 and name == "bar" else 2.0}
    gz["mux"], gz["muy"] = transform.to_data(x, y)
    for key, (lo, hi) in _BOUNDS[name].items():
        gz[key] = min(max(gz[key], lo), hi)
    out = from_galaxy_builder(**gz)
    out.pop("bn")
    return out


def _bar_as_ellipse(mark):
    """Rectangle {x, y, width, height, angle} (top-left corner) -> the original parser's ellipse mark."""
    try:
        x, y, w, h, angle = (float(mark[k]) for k in ("x", "y", "width", "height", "angle"))
    except (KeyError, TypeError, ValueError):
        raise _Skip("malformed bar") from None
    return {"x": x + w / 2.0, "y": y + h / 2.0, "rx": w, "ry": h, "angle": -angle}


def _arms(task, transform, skipped):
    arms, details = [], []
    for mark in _marks(task):
        try:
            pts = np.array([(float(p["x"]), float(p["y"])) for p in mark["points"]], dtype=np.float64)
            det = mark.get("details") or []
            vals = [d.get("value") if isinstance(d, dict) else None for d in det] + [None, None]
            intensity, spread = _float(vals[0], 0.0), _float(vals[1], 0.5)
        except (KeyError, TypeError, ValueError, _Skip):
            skipped.add("malformed spiral arms")
            continue
        if pts.ndim != 2 or len(pts) < 2 or not np.isfinite(pts).all():
            skipped.add("spiral arms with fewer than 2 finite points")
            continue
        x, y = transform.to_data(pts[:, 0], pts[:, 1])
        arms.append(np.column_stack([x, y]))
        details.append((intensity, spread * transform.scale))
    sliders = _sliders(task)
    falloff = max(_float(sliders[1], 1.0) or 1.0, 1e-5) if len(sliders) > 1 else 1.0
    return arms, details, falloff


def parse_annotation(annotation, transform, classification_id=None, use_scale=False, skipped=None):
    """One classification's annotation (list of task dicts, or its JSON text) -> :class:`Drawing`.

    Raises ``_Skip`` (internal) for a classification that cannot be used at all; bad components
    and arms are dropped and counted in ``skipped``.
    """
    skipped = SkipCounter() if skipped is None else skipped
    if isinstance(annotation, str):
        try:
            annotation = json.loads(annotation)
        except ValueError:
            raise _Skip("unreadable annotation JSON") from None
    if not isinstance(annotation, list):
        raise _Skip("annotation is not a list of tasks")
    tasks = {t.get("task"): t for t in annotation if isinstance(t, dict)}
    missing = [t for t in TASKS if t not in tasks or not isinstance(tasks[t].get("value"), list)]
    if missing:
        raise _Skip("missing tasks")
    drawing = Drawing(classification_id)
    for name in ("disk", "bulge", "bar"):
        task = tasks[name]
        try:
            marks = _marks(task)
            if not marks:
                continue
            mark = _bar_as_ellipse(marks[0]) if name == "bar" else marks[0]
            setattr(drawing, name, _ellipse(name, mark, _sliders(task), transform, use_scale))
        except _Skip as exc:
            skipped.add(f"{exc} drawings")
    try:
        drawing.arms, drawing.arm_details, drawing.falloff = _arms(tasks["spiral"], transform, skipped)
    except _Skip as exc:
        skipped.add(f"{exc} drawings")
    return drawing


def parse_classifications(classifications, width, drawing_size=DRAWING_SIZE, half_pixel=True, use_scale=False):
    """Galaxy Builder classifications of one subject -> list of :class:`Drawing` in data pixels.

    classifications: a path to a Zooniverse export CSV, a pandas DataFrame, or an iterable of dicts,
        each with ``annotations`` (JSON text or list) and optionally ``classification_id``.
    width: the data image width in pixels (135 for the example; square images).
    Skipped classifications, components and arms are counted in one ``SkippedDataWarning``.
    """
    transform = Transform(width, drawing_size, half_pixel)
    rows = _rows(classifications)
    skipped = SkipCounter()
    drawings = []
    for row in rows:
        try:
            drawings.append(parse_annotation(row.get("annotations"), transform, row.get("classification_id"),
                                             use_scale, skipped))
        except _Skip as exc:
            skipped.add(f"classifications with {exc}")
    skipped.warn("galaxy_builder.parse_classifications")
    return drawings


def _rows(classifications):
    if isinstance(classifications, (str, bytes)) or hasattr(classifications, "__fspath__"):
        import csv
        import sys
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        with open(classifications, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    if hasattr(classifications, "to_dict"):
        return classifications.to_dict("records")
    rows = list(classifications)
    if not all(isinstance(r, dict) for r in rows):
        raise GalforgeValueError("classifications must be a CSV path, a DataFrame or dicts with 'annotations'")
    return rows


__all__ = ["Drawing", "Transform", "parse_annotation", "parse_classifications"]
