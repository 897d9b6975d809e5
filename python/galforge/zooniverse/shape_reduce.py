"""Shape reducers: DBSCAN / HDBSCAN clustering of drawn shapes, drop-in for panoptes_aggregation's
``shape_reducer_dbscan`` and ``shape_reducer_hdbscan`` (reference/panoptes.md §2).

``reducer(extracts, user_id=[...], shape='ellipse', eps=5, min_samples=3, symmetric=False,
metric_type='euclidean' | 'IoU', estimate_average=False, details={...})`` returns, per frame,
``{tool}_{shape}_{param}`` (every mark, in extract then mark order, symmetric-normalised when
``symmetric``), ``{tool}_cluster_labels``, and per cluster ``{tool}_clusters_count``,
``{tool}_clusters_{param}`` (means; the angle is the least-squares circular mean rounded to
1e-3 degrees), ``{tool}_clusters_sigma`` (IoU only) and the details' reductions.

Distances are computed once as a matrix (numpy for the Euclidean and angle metrics, galforge's C++
IoU core for ``metric_type='IoU'``) and clustered with scikit-learn's DBSCAN labelling
(:mod:`.cluster`) or ``HDBSCAN(metric='precomputed')``: exact neighbourhoods (``d <= eps``) and
HDBSCAN's brute-force path, as with the reference's Python callables. Marks with a non-finite parameter are skipped with a
:class:`SkippedDataWarning` (the reference fails on them).
"""
import re

import numpy as np

from ..errors import GalforgeValueError
from ._deps import require
from .cluster import dbscan_labels
from .details import reduce_details
from .extract import AGGREGATION_VERSION
from .options import options
from .shapes import IOU_SHAPES, NORMALIZE, SHAPE_LUT, angle_distance_matrix, angle_factor, mean_angle, outline
from .skipped import SkipCounter, clean_extracts

_TOOL = re.compile(r"(T[0-9]+)_(tool[Index]*[0-9]+)")

PROCESS_DEFAULTS = {"shape": (None, str), "symmetric": (False, bool)}
DBSCAN_DEFAULTS = {"eps": (5.0, float), "eps_t": (0.5, float), "min_samples": (3, int), "algorithm": ("auto", str),
                   "leaf_size": (30, int), "p": (None, float), "metric_type": ("euclidean", str),
                   "estimate_average": (False, bool)}
HDBSCAN_DEFAULTS = {"min_cluster_size": (5, int), "min_samples": (3, int), "eps_t": (0.5, float),
                    "algorithm": ("auto", str), "leaf_size": (40, int), "cluster_selection_method": ("eom", str),
                    "allow_single_cluster": (False, bool), "metric_type": ("euclidean", str),
                    "estimate_average": (False, bool)}
_PASSED = ("user_id", "created_at", "details", "no_version")
BRUTE_FORCE_LIMIT = 3000  # marks of one tool: beyond, Euclidean DBSCAN uses scikit-learn's tree search


def _finite_mark(values):
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and np.isfinite(v)
               for v in values)


def group_marks(extracts, shape, symmetric, skipped):
    """``{frame: {tool: [param tuple per mark]}}`` in extract order (frames and tools sorted)."""
    params = SHAPE_LUT[shape]
    frames = sorted({k for d in extracts for k in d if k.startswith("frame")})
    out = {}
    for frame in frames:
        tools = sorted({"_".join(m[0]) for d in extracts for k in d.get(frame, {}) for m in [_TOOL.findall(k)] if m})
        out[frame] = {}
        for tool in tools:
            for d in extracts:
                if frame not in d:
                    continue
                marks = out[frame].setdefault(tool, [])
                keys = [f"{tool}_{p}" for p in params]
                if not all(k in d[frame] for k in keys):
                    continue
                if not all(isinstance(d[frame][k], list) for k in keys):
                    skipped.add("malformed marks")
                    continue
                for mark in zip(*(d[frame][k] for k in keys)):
                    if not _finite_mark(mark):
                        skipped.add("marks with a non-finite parameter")
                        continue
                    marks.append(NORMALIZE[shape](mark) if symmetric and shape in NORMALIZE else mark)
    return out


def _iou_matrix(loc, shape, eps_t):
    """IoU distances of the shapes (rows of ``loc``); temporal shapes weight by time-window overlap."""
    from ..polygons import iou_distance_matrix, polygon_area

    n = len(loc)
    rings = [np.asarray(outline(tuple(row), shape).exterior.coords) for row in loc]
    areas = np.array([polygon_area(r) if len(r) >= 4 else 0.0 for r in rings])
    good = np.flatnonzero(areas > 0)
    d = np.ones((n, n))
    d[np.ix_(good, good)] = iou_distance_matrix([rings[i] for i in good])
    bad = np.flatnonzero(areas <= 0)
    d[np.ix_(bad, bad)] = np.inf  # union of two zero-area shapes is empty
    if "temporal" in shape:
        iou = 1.0 - d
        inter = np.where(np.isfinite(d), iou * (areas[:, None] + areas[None, :]) / (1.0 + iou), 0.0)
        t = loc[:, -1]
        overlap = np.clip(eps_t - np.abs(t[:, None] - t[None, :]), 0.0, None)
        inter = inter * overlap
        union = (areas[:, None] + areas[None, :]) * eps_t - inter
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(union == 0, np.inf, 1.0 - inter / union)
    np.fill_diagonal(d, 0.0)
    return d


def iou_bounds(loc, shape):
    """DIRECT's search box for the average shape: position in the cluster's bounding box, sizes from 1
    to its extent, angle in [0, 180) (triangles [0, 120)), displayTime in [0, 1] (as the reference)."""
    import shapely

    x0, y0, x1, y1 = shapely.union_all([outline(tuple(row), shape) for row in loc]).bounds
    dx, dy = x1 - x0, y1 - y0
    bounds = [(x0, x1), (y0, y1)]
    if shape in ("rectangle", "rotateRectangle", "temporalRotateRectangle", "ellipse"):
        bounds += [(1, dx), (1, dy)] + ([(0, 180)] if shape != "rectangle" else [])
    else:
        bounds += [(1, max(dx, dy))] + ([(0, 120)] if shape == "triangle" else [])
    if "temporal" in shape:
        bounds.append((0, 1))
    return bounds


def iou_cost(loc, shape, eps_t):
    """``cost(params)``: sum over the cluster of the squared IoU distance to the shape ``params``."""
    import shapely

    geoms = [outline(tuple(row), shape) for row in loc]
    areas = shapely.area(geoms)
    t = loc[:, -1]

    def cost(x):
        g = outline(tuple(x), shape)
        inter = shapely.area(shapely.intersection(g, geoms))
        if "temporal" in shape:
            inter = inter * np.clip(eps_t - np.abs(x[-1] - t), 0.0, None)
            uni = (g.area + areas) * eps_t - inter
        else:
            uni = shapely.area(shapely.union(g, geoms))
        with np.errstate(divide="ignore", invalid="ignore"):
            dist = np.where(uni > 0, 1 - inter / uni, np.inf)
        return np.sum(dist ** 2)

    return cost


def _iou_average(loc, shape, eps_t, estimate, distances):
    """Average shape of a cluster and its IoU sigma: the medoid under squared distance if
    ``estimate``, else the minimiser of :func:`iou_cost` by scipy's DIRECT in :func:`iou_bounds`
    (the reference's method: thousands of evaluations, seconds per cluster)."""
    n = len(loc)
    if estimate:
        sq = np.sum(distances ** 2, axis=1)
        m = int(np.argmin(sq))
        return loc[m].tolist(), float(np.sqrt(sq[m] / max(n - 1, 1)))
    from scipy.optimize import direct

    m = direct(iou_cost(loc, shape, eps_t), bounds=iou_bounds(loc, shape), locally_biased=False)
    return list(m.x), float(np.sqrt(m.fun / max(n - 1, 1)))


def _reduce(name, extracts, kwargs, defaults, cluster):
    require()
    opts = options(name, kwargs, {**PROCESS_DEFAULTS, **defaults}, ignored=_PASSED)
    shape, symmetric = opts["shape"], opts["symmetric"]
    if shape not in SHAPE_LUT:
        raise GalforgeValueError(f"{name}: shape = {shape!r} is invalid: expected one of {list(SHAPE_LUT)}")
    metric_type = str(opts["metric_type"]).lower()
    if metric_type not in ("euclidean", "iou"):
        raise GalforgeValueError(f"{name}: metric_type = {opts['metric_type']!r} is invalid: "
                                 "expected 'euclidean' or 'IoU'")
    if metric_type == "iou" and shape not in IOU_SHAPES:
        raise GalforgeValueError(f"{name}: metric_type 'IoU' needs a shape among {IOU_SHAPES}, got {shape!r}")
    skipped = SkipCounter()
    extracts = clean_extracts(extracts, skipped)
    params = SHAPE_LUT[shape]
    factor = angle_factor(shape, symmetric)
    out = {}
    for frame, tools in group_marks(extracts, shape, symmetric, skipped).items():
        out[frame] = {}
        for tool, marks in tools.items():
            loc = np.array(marks).reshape(len(marks), len(params))
            res = out[frame]
            for pdx, p in enumerate(params):
                res[f"{tool}_{shape}_{p}"] = loc[:, pdx].tolist()
            floc = loc.astype(float)
            distances = None
            if metric_type == "iou":
                distances = _iou_matrix(floc, shape, opts["eps_t"])
            elif factor is not None:
                distances = angle_distance_matrix(floc, factor)
            labels = cluster(res, tool, floc, distances, opts)
            if labels is None:
                continue
            for k in sorted(set(labels.tolist()) - {-1}):
                idx = labels == k
                res.setdefault(f"{tool}_clusters_count", []).append(int(idx.sum()))
                if metric_type == "iou":
                    sub = distances[np.ix_(idx, idx)]
                    avg, sigma = _iou_average(floc[idx], shape, opts["eps_t"], opts["estimate_average"], sub)
                    res.setdefault(f"{tool}_clusters_sigma", []).append(sigma)
                else:
                    avg = floc[idx].mean(axis=0)
                    if factor is not None:
                        avg[-1] = mean_angle(floc[idx, -1], factor)
                for pdx, p in enumerate(params):
                    res.setdefault(f"{tool}_clusters_{p}", []).append(float(avg[pdx]))
    if kwargs.get("details") is not None:
        reduce_details(out, extracts, kwargs["details"], kwargs.get("user_id"))
    skipped.warn(name, stacklevel=4)
    if not kwargs.get("no_version", False):
        out["aggregation_version"] = AGGREGATION_VERSION
    return out


def shape_reducer_dbscan(extracts, **kwargs):
    """Cluster the marks of each frame and tool with DBSCAN (defaults: eps 5, min_samples 3); see the module.

    Neighbourhoods are exact (brute force), so ``algorithm``, ``leaf_size`` and ``p`` (accepted
    for compatibility) change nothing, as they change nothing in the reference's results.
    """

    def cluster(res, tool, loc, distances, o):
        if not (o["eps"] > 0 and o["min_samples"] >= 1):
            raise GalforgeValueError(f"shape_reducer_dbscan: eps = {o['eps']!r} and min_samples = "
                                     f"{o['min_samples']!r} are invalid: expected eps > 0 and min_samples >= 1")
        res[f"{tool}_cluster_labels"] = [-1] * len(loc)
        if len(loc) < o["min_samples"]:
            return None
        if distances is None and len(loc) > BRUTE_FORCE_LIMIT:  # a tree search rather than an n^2 matrix
            from sklearn.cluster import DBSCAN

            labels = DBSCAN(eps=o["eps"], min_samples=o["min_samples"], algorithm=o["algorithm"],
                            leaf_size=o["leaf_size"], p=o["p"]).fit(loc).labels_
        else:
            if distances is None:
                diff = loc[:, None, :] - loc[None, :, :]
                distances = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
            labels = dbscan_labels(distances, o["eps"], o["min_samples"])
        res[f"{tool}_cluster_labels"] = labels.tolist()
        return labels

    return _reduce("shape_reducer_dbscan", extracts, kwargs, DBSCAN_DEFAULTS, cluster)


def shape_reducer_hdbscan(extracts, **kwargs):
    """Cluster the marks of each frame and tool with HDBSCAN (defaults: min_cluster_size 5, min_samples 3).

    Adds ``{tool}_cluster_probabilities`` (0 for every mark when there are fewer than
    ``min_cluster_size``). Infinite IoU distances (two zero-area shapes) become 1e12.
    """
    from sklearn.cluster import HDBSCAN

    def cluster(res, tool, loc, distances, o):
        res[f"{tool}_cluster_labels"] = [-1] * len(loc)
        res[f"{tool}_cluster_probabilities"] = [0] * len(loc)
        if len(loc) < o["min_cluster_size"]:
            return None
        common = {k: o[k] for k in ("min_cluster_size", "min_samples", "cluster_selection_method",
                                     "allow_single_cluster")}
        if distances is None:
            db = HDBSCAN(metric="euclidean", algorithm=o["algorithm"], leaf_size=o["leaf_size"], **common).fit(loc)
        else:
            db = HDBSCAN(metric="precomputed", **common).fit(np.where(np.isfinite(distances), distances, 1e12))
        res[f"{tool}_cluster_labels"] = db.labels_.tolist()
        res[f"{tool}_cluster_probabilities"] = db.probabilities_.tolist()
        return db.labels_

    return _reduce("shape_reducer_hdbscan", extracts, kwargs, HDBSCAN_DEFAULTS, cluster)
