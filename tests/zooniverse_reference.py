"""Helpers of the differential tests against panoptes_aggregation: comparison, generated cases, the cat project."""
import copy
import importlib
import csv
import json
import math
import os

import numpy as np
import pytest

CATS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "zooniverse_cats")
CAT_CLASSIFICATIONS = os.path.join(CATS, "cat-project-classifications.csv")


class _Reference:
    """``panoptes_aggregation`` imported on first use; the test using it is skipped when it is absent.

    It is not in the ``test`` extra: version 5.3.1 pins numpy < 2.3, scikit-learn < 1.7, shapely < 2.1
    and pandas < 3, and an unpinned install resolves to an old release that does not import."""

    def __getattr__(self, name):
        if name not in ("extractors", "reducers", "scripts"):  # pytest inspects module attributes
            raise AttributeError(name)
        module = pytest.importorskip("panoptes_aggregation", exc_type=ImportError)
        if not hasattr(module, name):
            importlib.import_module(f"panoptes_aggregation.{name}")
        return getattr(module, name)


pa = _Reference()


def ref_by_task(classification):
    """The reference's annotation_by_task."""
    return pa.extractors.utilities.annotation_by_task(classification)


def difference(a, b, path="", rel=1e-9):
    """None if ``a`` and ``b`` are the same nested structure (floats to ``rel``), else where they differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return f"{path}: keys differ {sorted(set(a) ^ set(b))}"
        for k in a:
            d = difference(a[k], b[k], f"{path}.{k}", rel)
            if d:
                return d
        return None
    if isinstance(a, (list, tuple, np.ndarray)) and isinstance(b, (list, tuple, np.ndarray)):
        if len(a) != len(b):
            return f"{path}: lengths {len(a)} and {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = difference(x, y, f"{path}[{i}]", rel)
            if d:
                return d
        return None
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
            if (math.isnan(a) and math.isnan(b)) or abs(a - b) <= rel * max(1.0, abs(a)):
                return None
        return f"{path}: {a!r} != {b!r}"
    return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"


def assert_same(ref, ours):
    d = difference(ref, ours)
    assert d is None, d


def reference(func, *args, **kwargs):
    """Call a panoptes_aggregation function on deep copies (it modifies its input)."""
    return func(*copy.deepcopy(args), **copy.deepcopy(kwargs))


def cat_extracts():
    """{subject_id: ([polygon extract, ...], [created_at, ...])} of workflow version 13.19, in time order."""
    import galforge.zooniverse as gz

    csv.field_size_limit(2**31 - 1)
    with open(CAT_CLASSIFICATIONS, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["workflow_version"] == "13.19"]
    out = {}
    for r in sorted(rows, key=lambda r: (int(r["subject_ids"]), r["created_at"])):
        c = {"annotations": json.loads(r["annotations"]), "metadata": json.loads(r["metadata"])}
        extracts, times = out.setdefault(int(r["subject_ids"]), ([], []))
        extracts.append(gz.polygon_extractor(gz.annotation_by_task(c), task="T0"))
        times.append(r["created_at"])
    return out


def star(rng, centre, radius, k):
    """A star-shaped (simple) polygon of k vertices, counter-clockwise, as (x list, y list)."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, k))
    r = radius * rng.uniform(0.8, 1.2, k)
    return (np.round(centre[0] + r * np.cos(angles), 2).tolist(), np.round(centre[1] + r * np.sin(angles), 2).tolist())


def freehand(rng, centre, radius, kind):
    """A drawing of an object: 'closed' (first vertex repeated), 'open', 'overshoot' (runs past its
    start, so the ring crosses itself), 'figure8', 'holed' (an outer loop and an inner loop joined
    by a slit: a polygon with a hole once repaired)."""
    x, y = star(rng, centre, radius, int(rng.integers(8, 40)))
    if kind == "closed":
        return x + x[:1], y + y[:1]
    if kind == "overshoot":
        return x + [v + 1.0 for v in x[:3]], y + [v + 1.5 for v in y[:3]]
    if kind == "figure8":
        cx, cy = centre
        t = np.linspace(0, 2 * np.pi, 30, endpoint=False)
        return (np.round(cx + radius * np.sin(t), 2).tolist(),
                np.round(cy + radius * 0.6 * np.sin(t) * np.cos(t) * (1 + 0.3 * (t > np.pi)), 2).tolist())
    if kind == "holed":
        cx, cy = centre
        o = [(cx - radius, cy - radius), (cx + radius, cy - radius), (cx + radius, cy + radius),
             (cx - radius, cy + radius), (cx - radius, cy - radius)]
        h = radius * rng.uniform(0.3, 0.5)
        i = [(cx - h, cy - h), (cx - h, cy + h), (cx + h, cy + h), (cx + h, cy - h), (cx - h, cy - h)]
        pts = o + i  # the slit between the loops is drawn twice, exactly: repaired, the inner loop is a hole
        return [round(p[0], 2) for p in pts], [round(p[1], 2) for p in pts]
    return x, y


def polygon_classification(marks, version="2.0"):
    """A classification of task T0 from [(tool, frame, (x, y)), ...] (v2 pathX/pathY or v1 points)."""
    if version == "2.0":
        value = [{"toolIndex": t, "frame": f, "pathX": x, "pathY": y, "details": []} for t, f, (x, y) in marks]
    else:
        value = [{"tool": t, "frame": f, "points": [{"x": a, "y": b} for a, b in zip(x, y)], "details": []}
                 for t, f, (x, y) in marks]
    return {"annotations": [{"task": "T0", "taskType": "drawing", "value": value}],
            "metadata": {"classifier_version": version}}


def junk_strategy():
    """Hypothesis strategy: JSON-like junk built from the keys and values Zooniverse data use."""
    from hypothesis import strategies as st

    keys = st.sampled_from(["task", "value", "tool", "toolIndex", "frame", "x", "y", "rx", "ry", "angle", "pathX",
                            "pathY", "points", "details", "taskType", "markIndex", "frame0", "T0_tool0_pathX",
                            "T0_tool0_pathY", "T0_tool0_x", "T0_tool0_y"])
    atoms = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True, allow_infinity=True),
                      st.sampled_from(["T0", "x", "0", "2.0"]))
    return st.recursive(atoms, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
                        max_leaves=25)


def no_crash(func, *args, **kwargs):
    """Call ``func``: it may only warn SkippedDataWarning or raise GalforgeValueError."""
    import warnings

    import galforge.zooniverse as gz
    from galforge.errors import GalforgeValueError

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", gz.SkippedDataWarning)
        try:
            return func(*args, **kwargs)
        except GalforgeValueError:
            return None
