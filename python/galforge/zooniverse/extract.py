"""Extractors of Zooniverse drawings, drop-in for panoptes_aggregation 5.3.1 (reference/panoptes.md §1).

``extractor(annotation_by_task(classification), task=..., tools=..., details=..., **kwargs)`` returns
the reference's nested dict: ``{'frame0': {'T0_tool0_x': [...], ...}, 'aggregation_version': '5.3.1'}``
(``T0_toolIndex0_...`` for classifier v2 marks, plus ``'classifier_version': '2.0'``).

Differences from the reference, all on input it mishandles: a malformed mark (no ``tool`` /
``toolIndex``, an unknown polygon format, x and y of different lengths, a shape value that is None,
not a number or not finite, a missing v2 subtask annotation) is skipped and counted in one
:class:`SkippedDataWarning` instead of failing the whole classification; the input is not mutated;
a v1 mark without ``frame`` is in frame 0; details are extracted only for the marks that were kept;
a v2 subtask is looked up by the mark's index in the task's original mark list.
Polygon paths are copied as drawn: closing and repairing is the reducer's job, as in the reference.
"""
import functools
import math
import numbers

from .. import _core
from ..errors import GalforgeValueError
from .shapes import SHAPE_LUT
from .skipped import SkipCounter

AGGREGATION_VERSION = "5.3.1"  # the panoptes_aggregation version whose output this reproduces


def annotation_by_task(classification):
    """Copy of ``classification`` with ``annotations`` grouped by task: ``{'T0': [annotation, ...], ...}``.

    A shallow copy (the reference deep-copies): the annotations are shared with the input, which
    is safe as galforge's extractors never modify their input.
    """
    out = dict(classification)
    grouped = {}
    annotations = out.get("annotations", [])
    for annotation in annotations if isinstance(annotations, list) else [annotations]:
        task = annotation.get("task") if isinstance(annotation, dict) else None
        grouped.setdefault(task if isinstance(task, str) else None, []).append(annotation)
    out["annotations"] = grouped
    return out


def parse_version(text):
    """``'2.0'`` -> ``(2,)``: release numbers with trailing zeros dropped (as packaging compares them)."""
    try:
        return _release(str(text))
    except ValueError:
        raise GalforgeValueError(f"version {text!r} is invalid: expected numbers separated by dots") from None


@functools.lru_cache(maxsize=1024)  # an export holds a handful of versions, each read once per row
def _release(text):
    parts = [int(p) for p in text.strip().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _version_string(text):
    parts = [int(p) for p in str(text).strip().split(".")]
    return ".".join(str(p) for p in parts)


def _annotations(classification, task):
    annotations = classification.get("annotations", {})
    if not isinstance(annotations, dict):  # not grouped yet
        annotations = annotation_by_task({"annotations": annotations})["annotations"]
    out = []
    for key, value in annotations.items():
        if task == "all" or str(key).split(".")[0] == task:
            out += value if isinstance(value, list) else [value]
    return out


def _integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _tool_key(annotation, value):
    """``T0_tool1`` (v1) / ``T0_toolIndex1`` (v2), or None for a malformed mark."""
    if not isinstance(value, dict) or not _integer(value.get("frame", 0)):
        return None
    if "tool" in value:
        return f"{annotation['task']}_tool{value['tool']}" if _integer(value["tool"]) else None
    if "toolIndex" in value:
        return f"{annotation['task']}_toolIndex{value['toolIndex']}" if _integer(value["toolIndex"]) else None
    return None


def _kept_by_tools(value, tools):
    return isinstance(value, dict) and (value.get("tool", None) in tools or value.get("toolIndex", None) in tools)


def _slider_extractor(detail):
    return {"slider_value": detail["value"]}


def _slug(value):
    if value is None or isinstance(value, (bool, int)):
        return str(value)
    try:
        from slugify import slugify
    except ImportError:
        raise GalforgeValueError("question_extractor on text answers needs python-slugify "
                                 "(pip install python-slugify)") from None
    return slugify(value, separator="-")


def _question_extractor(detail):
    answers = {}
    values = detail["value"] if isinstance(detail["value"], list) else [detail["value"]]
    for answer in values:
        key = _slug(answer["choice"] if isinstance(answer, dict) else answer)
        answers[key] = answers.get(key, 0) + 1
    return answers


DETAIL_EXTRACTORS = {"slider_extractor": _slider_extractor, "question_extractor": _question_extractor}


def _detail_extractor(name):
    """The detail extractor called ``name``; None for None (no extractor for that detail)."""
    if name is None:
        return None
    if name not in DETAIL_EXTRACTORS:
        raise GalforgeValueError(f"details extractor {name!r} is not supported: expected one of "
                                 f"{sorted(DETAIL_EXTRACTORS)} or None")
    return DETAIL_EXTRACTORS[name]


class _Extraction:
    """Walks the marks of one classification: tool filter, v1/v2 split, details; ``mark`` is the per-shape part."""

    def __init__(self, classification, task, tools, details, skipped):
        self.skipped = skipped
        metadata = classification.get("metadata", {})
        self.version_text = metadata.get("classifier_version", "1.0") if isinstance(metadata, dict) else "1.0"
        self.version = parse_version(self.version_text)
        self.details = details
        self.annotations = []
        self.subtasks = {}
        for annotation in _annotations(classification, task):
            if not isinstance(annotation, dict) or not isinstance(annotation.get("task"), str):
                skipped.add("malformed annotations")
                continue
            drawing = annotation.get("taskType", "drawing") in ("drawing", "dataVisAnnotation")
            if self.version >= (2,) and not drawing:
                if isinstance(annotation.get("markIndex"), int):
                    self.subtasks[(annotation["task"], annotation["markIndex"])] = annotation
                continue
            values = annotation.get("value")
            if not isinstance(values, list):
                skipped.add("malformed annotations")
                continue
            marks = list(enumerate(values))
            if tools is not None and annotation.get("taskType", "drawing") == "drawing":
                marks = [(i, v) for i, v in marks if _kept_by_tools(v, tools)]
            self.annotations.append((annotation, marks))

    def run(self, mark):
        """Call ``mark(extract, frame, key, value) -> bool`` (kept?) for every mark; add details."""
        extract = {}
        for annotation, marks in self.annotations:
            for index, value in marks:
                key = _tool_key(annotation, value)
                if key is None:
                    self.skipped.add("malformed marks")
                    continue
                frame = f"frame{value.get('frame', 0)}"
                if mark(extract, frame, key, value) and self.details is not None:
                    self._details(extract, annotation, index, frame, key, value)
        if self.version >= (2,):
            extract["classifier_version"] = _version_string(self.version_text)
        return extract

    def _details(self, extract, annotation, index, frame, key, value):
        if self.version < (2,):
            if key not in self.details:
                return
            row = []
            details = value.get("details", [])
            for ddx, detail in enumerate(details if isinstance(details, list) else []):
                names = self.details[key]
                func = _detail_extractor(names[ddx] if ddx < len(names) else None)
                if func is None:
                    row.append("No extractor for this subtask type")
                elif not isinstance(detail, dict) or "value" not in detail:
                    self.skipped.add("malformed details")
                    row.append({})
                else:
                    row.append(func(detail))
            extract[frame].setdefault(f"{key}_details", []).append(row)
            return
        details = value.get("details", [])
        for detail in details if isinstance(details, list) else []:
            subtask = str(detail.get("task", "")) if isinstance(detail, dict) else ""
            parts = subtask.split(".")
            if len(parts) != 3:
                self.skipped.add("malformed subtask references")
                continue
            subtask_key = f"{parts[0]}_toolIndex{parts[1]}_subtask{parts[2]}"
            if subtask_key not in self.details:
                continue
            func = _detail_extractor(self.details[subtask_key])
            if func is None:
                continue
            sub = self.subtasks.get((subtask, index))
            if sub is None or "value" not in sub:
                self.skipped.add("missing subtask annotations")
                continue
            extract[frame].setdefault(subtask_key, []).append(func(sub))


def _finish(extract, no_version):
    if not no_version:
        extract["aggregation_version"] = AGGREGATION_VERSION
    return extract


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def shape_extractor(classification, shape=None, task="all", tools=None, details=None, no_version=False):
    """Extract the marks of one drawing ``shape`` (a key of :data:`SHAPE_LUT`).

    Output per frame: ``{tool}_{param}`` lists (one value per mark, values as drawn: angles in
    degrees, not normalised), plus ``{tool}_details`` (v1) or ``{tool}_subtaskN`` (v2) when
    ``details`` maps a tool (v1: a list of extractor names per detail) or a subtask key (v2: one
    name) to ``slider_extractor`` / ``question_extractor``. Marks lacking one of the shape's
    parameters are ignored (as in the reference); a None or non-finite value skips the mark with a
    :class:`SkippedDataWarning`.
    """
    if shape not in SHAPE_LUT:
        raise GalforgeValueError(f"shape = {shape!r} is invalid: expected one of {list(SHAPE_LUT)}")
    params = SHAPE_LUT[shape]
    skipped = SkipCounter()

    def mark(extract, frame, key, value):
        if not all(p in value for p in params):
            return False
        if not all(_is_number(value[p]) for p in params):
            skipped.add("marks with a missing or non-finite value")
            return False
        out = extract.setdefault(frame, {})
        for p in params:
            out.setdefault(f"{key}_{p}", []).append(value[p])
        return True

    extract = _Extraction(classification, task, tools, details, skipped).run(mark)
    skipped.warn("shape_extractor")
    return _finish(extract, no_version)


def _path(value):
    """x, y lists of a polygon mark, or None if malformed."""
    if "points" in value:
        points = value["points"]
        xy = _core.points_xy(points)  # the common case (a list of dicts), in one C++ call
        if xy is not None:
            return xy
        if not isinstance(points, list) or not all(isinstance(p, dict) and "x" in p and "y" in p for p in points):
            return None
        return [p["x"] for p in points], [p["y"] for p in points]
    if "pathX" in value and "pathY" in value:
        x, y = value["pathX"], value["pathY"]
        if not isinstance(x, list) or not isinstance(y, list) or len(x) != len(y):
            return None
        return x, y
    return None


def polygon_extractor(classification, task="all", tools=None, details=None, no_version=False):
    """Extract polygon / freehand marks (``points: [{x, y}, ...]`` or ``pathX`` / ``pathY``).

    Output per frame: ``{tool}_pathX``, ``{tool}_pathY`` (one list per drawing, as drawn) and
    ``gold_standard`` (the classification's, default False). A frame is created for every mark,
    so an empty drawing leaves ``{}`` behind (as in the reference). Details as :func:`shape_extractor`.
    """
    gold_standard = classification.get("gold_standard", False)
    skipped = SkipCounter()

    def mark(extract, frame, key, value):
        path = _path(value)
        if path is None:
            skipped.add("malformed polygon marks")
            return False
        out = extract.setdefault(frame, {})
        x, y = path
        if len(x) > 0:
            out.setdefault(f"{key}_pathX", []).append(x)
            out.setdefault(f"{key}_pathY", []).append(y)
            out["gold_standard"] = gold_standard
        return True

    extract = _Extraction(classification, task, tools, details, skipped).run(mark)
    skipped.warn("polygon_extractor")
    return _finish(extract, no_version)



