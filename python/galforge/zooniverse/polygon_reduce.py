"""Polygon / freehand reducers, drop-in for panoptes_aggregation's ``polygon_reducer`` and
``polygon_reducer_contours`` (reference/panoptes.md §3).

Each drawing becomes a polygon (the ring is closed; a self-intersecting ring is repaired with GEOS
``buffer(0)`` and its largest piece kept, exactly as the reference does). Drawings of one frame and
tool are clustered by DBSCAN on IoU distances ``1 - IoU`` computed by galforge's C++ core, two
drawings of the same classification being never neighbours (the reference's ``inf``), with
scikit-learn's DBSCAN labelling (see :mod:`.cluster`).

``polygon_reducer(extracts, created_at=[...], average_type='median' | 'union' | 'intersection' |
'last', eps=0.5, min_samples=2, min_threshold=0, collab=False, ...)`` returns per frame
``{tool}_cluster_labels``, and per cluster kept (``count / len(extracts) > min_threshold``)
``{tool}_clusters_count``, ``{tool}_clusters_x`` / ``_y`` (the exterior ring of the average,
closing vertex repeated; empty when the average has no area), ``{tool}_consensus`` (1 - mean IoU
distance inside the cluster, same-classification pairs counted as 1), the top-level
``threshold`` list, ``data`` (consensus marks, with ``collab``), ``aggregation_version`` and
``parameters``.

Where the reference fails, this does the sensible thing (counted in one :class:`SkippedDataWarning`):
a drawing with fewer than 3 distinct points, a non-finite or non-numeric coordinate, x and y of
different lengths, or no area once repaired (the reference keeps zero-area polygons in the labels,
at distance 1 from everything) is skipped; an intersection average made of several pieces keeps
its largest piece (the reference raises AttributeError); contours keep track of which drawings
made each piece (the reference mixes them up when an intersection falls apart into pieces).
Frames and tools come out sorted (the reference's contours follow set order).
"""
import datetime
import re

import numpy as np

from .. import _core
from ..errors import GalforgeValueError
from ..polygons import pack
from ._deps import require
from .cluster import dbscan_labels
from .extract import AGGREGATION_VERSION
from .options import options
from .skipped import SkipCounter, clean_extracts

POLYGON_DEFAULTS = {"min_samples": (2, int), "eps": (0.5, float), "average_type": ("median", str),
                    "collab": (False, bool), "step_key": ("S0", str), "task_index": (0, int),
                    "tool_type": ("freehandLine", str), "min_threshold": (0, float)}
CONTOUR_DEFAULTS = {"min_samples": (2, int), "eps": (0.5, float)}
AVERAGE_TYPES = ("median", "union", "intersection", "last")
_PASSED = ("user_id", "created_at", "details", "no_version")
# Ignored as the reference 5.3.1 ignores them (its wrapper drops keys missing from its defaults):
# contours use rasterisation above 9 drawings, 100 grid points and 'minimal_sides' simplification.
_CONTOUR_IGNORED = ("rasterisation", "rasterization", "num_grid_points", "smoothing")


MAX_COORDINATE = 1e100  # beyond this, products in the geometry predicates overflow
_REASONS = {1: "malformed drawings", 2: "drawings with non-finite coordinates",
            3: f"drawings with coordinates beyond {MAX_COORDINATE:g} (areas would overflow)",
            4: "drawings with fewer than 3 points"}
_USABLE, _AREA_UNCERTAIN = 0, 5  # galforge/drawings.hpp's DrawingStatus


def pack_drawings(xs, ys):
    """(xy, offsets, status) of drawings (lists of x lists and of y lists, or of float64 arrays), checked
    and packed by the C++ core (``galforge/drawings.hpp``): status 0 usable, 5 usable but with an area
    GEOS must confirm, else the code of the reason to skip it (:data:`_REASONS`); the vertices of
    usable drawings are packed, closing vertex dropped. Types the core does not read (tuples, bools,
    numpy scalars, nested lists) are converted by numpy first, as a drawing always was."""
    xy, offsets, status = _core.pack_drawings(xs, ys, MAX_COORDINATE)
    undecided = np.flatnonzero(status < 0)
    if len(undecided):
        arrays = [xy[offsets[k]:offsets[k + 1]] for k in range(len(status))]
        for k in undecided:
            try:
                a = np.array([xs[k], ys[k]], dtype=float)  # ragged, nested or non-numeric lists raise
            except (TypeError, ValueError):
                a = None
            if a is None or a.ndim != 2:
                status[k] = 1
                continue
            arrays[k], _, one = _core.pack_drawings([a[0]], [a[1]], MAX_COORDINATE)
            status[k] = one[0]
        xy, offsets = pack(arrays)
    return xy, offsets, status


class Drawings:
    """The usable drawings of one frame and tool: their exterior rings packed for the core (``xy``,
    ``offsets``: ring i at rows offsets[i] .. offsets[i + 1] - 1, closing vertex dropped), ``users``
    (positions of their extracts) and ``repaired`` ({i: shapely polygon} of the drawings repaired by
    ``buffer(0)``; the others are the polygons of their own rings, built only when asked for) and
    ``holed`` (the positions of the repaired polygons that have holes, in order)."""

    def __init__(self, xy, offsets, users, repaired, holed=()):
        self.xy, self.offsets, self.users, self.repaired, self.holed = xy, offsets, users, repaired, list(holed)

    def __len__(self):
        return len(self.users)

    def ring(self, i):
        return self.xy[self.offsets[i]:self.offsets[i + 1]]

    def sub(self, a, b):
        """Drawings a .. b - 1 (their vertices a view of these)."""
        o = self.offsets[a:b + 1]
        return Drawings(self.xy[o[0]:o[-1]], o - o[0], self.users[a:b],
                        {i - a: p for i, p in self.repaired.items() if a <= i < b},
                        [i - a for i in self.holed if a <= i < b])

    def polygon(self, i):
        """The shapely polygon of drawing i (as ``shapely.Polygon(ring)`` closes it)."""
        import shapely

        return self.repaired[i] if i in self.repaired else shapely.Polygon(self.ring(i))

    def exterior(self, i):
        """The exterior ring of drawing i with its closing vertex, as shapely gives it (a repaired
        polygon's ring is its GEOS exterior without the closing vertex, which equals the first)."""
        ring = self.ring(i)
        return np.concatenate([ring, ring[:1]])


def polygons_of(xy, offsets, status, users):
    """(:class:`Drawings`, source, no_area) of packed drawings (:func:`pack_drawings`): rings GEOS finds
    self-intersecting are repaired by ``buffer(0)`` (largest piece), as the reference does; the
    usable drawings are kept (``source``: their input positions), ``no_area`` marks the input
    drawings without area once repaired."""
    import shapely

    keep = np.flatnonzero((status == _USABLE) | (status == _AREA_UNCERTAIN))
    offsets = offsets[np.concatenate([keep, [len(status)]])] if len(keep) < len(status) else offsets
    users, uncertain = users[keep], status[keep] == _AREA_UNCERTAIN
    n = len(keep)
    simple = _core.rings_simplicity(xy, offsets)  # GEOS's answer where certain (polygons.ring_simplicity)
    ask = (simple != 1) | uncertain  # rings the core's answers do not settle: shapely polygons
    no_area = np.zeros(len(status), dtype=bool)
    if not ask.any():
        return Drawings(xy, offsets, users, {}), keep, no_area
    sizes = np.diff(offsets)
    index = np.flatnonzero(ask)
    geoms = np.empty(n, dtype=object)
    rings = np.concatenate([xy[offsets[i]:offsets[i + 1]] for i in index.tolist()])
    geoms[index] = shapely.polygons(shapely.linearrings(rings, indices=np.repeat(np.arange(len(index)), sizes[index])))
    unsure = np.flatnonzero(simple < 0)
    if len(unsure):
        simple[unsure] = shapely.is_simple(geoms[unsure])
    usable = np.ones(n, dtype=bool)
    check = np.flatnonzero(uncertain & (simple == 1))  # simple rings whose area may be 0: GEOS decides
    usable[check] = shapely.area(geoms[check]) > 0
    repair = np.flatnonzero(simple == 0)
    fixed = shapely.buffer(geoms[repair], 0)
    types = shapely.get_type_id(fixed)
    for k in np.flatnonzero((types == 6) | (types == 7)):  # MultiPolygon, GeometryCollection: the largest piece
        parts = shapely.get_parts(fixed[k])
        fixed[k] = parts[int(np.argmax(shapely.area(parts)))] if len(parts) else None
    good = (shapely.get_type_id(fixed) == 3) & (shapely.area(fixed) > 0)  # None: -1 and nan
    usable[repair[~good]] = False
    no_area[keep[~usable]] = True
    if not good.any() and usable.all():
        return Drawings(xy, offsets, users, {}), keep, no_area
    repaired = dict(zip(repair[good].tolist(), fixed[good]))
    coords, which = shapely.get_coordinates(shapely.get_exterior_ring(fixed[good]), return_index=True)
    ends = np.cumsum(np.bincount(which, minlength=int(good.sum())))
    exteriors = dict(zip(repaired, np.split(coords, ends[:-1])))
    with_holes = set(repair[good][shapely.get_num_interior_rings(fixed[good]) > 0].tolist())
    rings, kept, holed = [], {}, []
    for i in np.flatnonzero(usable).tolist():
        if i in repaired:
            if i in with_holes:
                holed.append(len(rings))
            kept[len(rings)] = repaired[i]
            rings.append(exteriors[i][:-1])  # GEOS rings are closed
        else:
            rings.append(xy[offsets[i]:offsets[i + 1]])
    xy, offsets = pack(rings)
    return Drawings(xy, offsets, users[usable], kept, holed), keep[usable], no_area


def group_polygons(extracts, skipped):
    """``{frame: {tool: Drawings}}``; a drawing's user is its extract's position."""
    return group_polygons_many([extracts], [skipped])[0]


def group_polygons_many(extracts_list, skipped_list):
    """:func:`group_polygons` of several reducer calls (extracts and SkipCounter of each), the drawings
    of all checked, packed and repaired together (one call of each C++ and GEOS function)."""
    outs, segments, xs, ys, users = [], [], [], [], []
    for extracts, skipped in zip(extracts_list, skipped_list):
        frames = sorted({k for d in extracts for k in d if k.startswith("frame")})
        out = {}
        for frame in frames:
            out[frame] = {}
            tools = sorted({"_".join(k.split("_")[:-1]) for d in extracts for k in d.get(frame, {})} - {"gold"})
            for tool in tools:
                start = len(xs)
                for user, d in enumerate(extracts):
                    if frame not in d:
                        continue
                    x, y = d[frame].get(f"{tool}_pathX"), d[frame].get(f"{tool}_pathY")
                    if x is None or y is None:
                        continue
                    if not isinstance(x, list) or not isinstance(y, list) or len(x) != len(y):
                        skipped.add("malformed drawings")
                        continue
                    xs += x
                    ys += y
                    users += [user] * len(x)
                segments.append((out[frame], tool, skipped, start, len(xs)))
        outs.append(out)
    xy, offsets, status = pack_drawings(xs, ys)
    drawings, source, no_area = polygons_of(xy, offsets, status, np.array(users, dtype=np.int64))
    bounds = np.searchsorted(source, [[start, end] for *_, start, end in segments]) if segments else []
    for (holder, tool, skipped, start, end), (a, b) in zip(segments, bounds):
        counts = np.bincount(status[start:end], minlength=len(_REASONS) + 1)
        for code, reason in _REASONS.items():
            if counts[code]:
                skipped.add(reason, int(counts[code]))
        if no_area[start:end].any():
            skipped.add("drawings with no area", int(no_area[start:end].sum()))
        holder[tool] = drawings.sub(a, b)
    return outs


def _signed_rings(polygon):
    """(vertices, +1) for the exterior and (vertices, -1) per hole of a shapely polygon."""
    import shapely

    holes = [shapely.get_coordinates(ring) for ring in polygon.interiors]
    return [(shapely.get_coordinates(polygon.exterior), 1.0)] + [(h, -1.0) for h in holes]


def _holed_intersection(a, b):
    """Intersection area of shapely polygons with holes: the indicator of a polygon is its exterior's
    minus its (disjoint) holes', so the area is the signed sum over pairs of rings (C++ core)."""
    from ..polygons import intersection_area

    return sum(sa * sb * intersection_area(ra, rb) for ra, sa in a for rb, sb in b)


def iou_distances(drawings):
    """IoU distance matrix of :class:`Drawings` (C++ core on the packed rings; pairs with a repaired
    polygon that has holes by the signed sum of the rings' intersections)."""
    import shapely

    users = drawings.users
    d = _core.iou_distance_matrix(drawings.xy, drawings.offsets, users, 1)
    pairs = [(i, j) for i in drawings.holed for j in range(len(drawings)) if j != i and users[j] != users[i]]
    if not pairs:
        return d
    need = sorted({k for pair in pairs for k in pair})
    polygons = [drawings.polygon(k) for k in need]
    areas = dict(zip(need, shapely.area(np.array(polygons, dtype=object)).tolist()))
    signed = {k: _signed_rings(p) for k, p in zip(need, polygons)}
    for i, j in pairs:  # in this order: a pair of two holed polygons keeps its (j, i) value
        inter = max(_holed_intersection(signed[i], signed[j]), 0.0)
        d[i, j] = d[j, i] = 1.0 - inter / (areas[i] + areas[j] - inter)
    return d


def consensus(distances):
    """1 - mean IoU distance over the pairs of a cluster (inf counted as 1); 1 for a single drawing."""
    n = len(distances)
    if n == 1:
        return 1.0
    d = np.where(np.isinf(distances), 1.0, distances)
    return float(1 - (d.sum() - np.trace(d)) / (n * (n - 1)))


def unify(polygons):
    """Largest piece of the union, holes filled, passed through ``buffer(0)`` (as the reference)."""
    import shapely

    union = shapely.unary_union(np.array(polygons, dtype=object))
    if union.geom_type in ("MultiPolygon", "GeometryCollection"):
        parts = list(union.geoms)
        union = parts[int(np.argmax([p.area if p.geom_type == "Polygon" else 0.0 for p in parts]))]
    for hole in list(union.interiors):
        union = union.union(shapely.Polygon(hole))
    return union.buffer(0)


def _largest_polygon(geom):
    if geom.geom_type in ("MultiPolygon", "GeometryCollection"):
        parts = [p for p in geom.geoms if p.geom_type == "Polygon"]
        return max(parts, key=lambda p: p.area) if parts else geom
    return geom


_EXPORT_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} UTC")


def _timestamp(value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if hasattr(value, "to_pydatetime"):
        return _timestamp(value.to_pydatetime())
    if isinstance(value, str):
        try:
            if _EXPORT_TIME.fullmatch(value):  # the export's own format: the same fields, 20x faster than strptime
                return datetime.datetime.fromisoformat(value[:19])
            if "UTC" in value:
                return datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S UTC")
            if "Z" in value:
                return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
            return _timestamp(datetime.datetime.fromisoformat(value))
        except ValueError:
            pass
    raise GalforgeValueError(f"created_at value {value!r} is invalid: expected 'YYYY-MM-DD HH:MM:SS UTC', "
                             "an ISO time, a datetime or a pandas Timestamp")


def average_ring(average_type, drawings, idx, distances, created_at):
    """The exterior ring (closing vertex repeated; empty when it has no area) of the average of the
    cluster of ``drawings`` at positions ``idx`` (see the module docstring)."""
    import shapely

    if average_type == "median":
        d = np.where(np.isinf(distances), 1.0, distances)
        return drawings.exterior(idx[int(np.argmin(np.sum(d, axis=0)))])
    if average_type == "last":
        return drawings.exterior(idx[int(np.argmax([_timestamp(t) for t in created_at]))])
    if len(idx) == 1:
        return drawings.exterior(idx[0])
    polygons = [drawings.polygon(i) for i in idx]
    if average_type == "union":
        return _exterior(unify(polygons))
    inter = polygons[0]
    for p in polygons[1:]:
        inter = shapely.intersection(inter, p)
    return _exterior(_largest_polygon(inter))


def _exterior(geom):
    if geom.is_empty or geom.area == 0.0 or geom.geom_type != "Polygon":
        return np.zeros((0, 2))
    return np.asarray(geom.exterior.coords)


def _consensus_mark(tool, frame, xy, opts, count):
    task_key, tool_index = tool.split("_toolIndex") if "_toolIndex" in tool else tool.split("_tool")
    return {"stepKey": opts["step_key"], "taskIndex": opts["task_index"], "taskKey": task_key, "taskType": "drawing",
            "toolIndex": int(tool_index), "frame": int(frame[len("frame"):]), "markID": f"consensus_{count}",
            "toolType": opts["tool_type"], "pathX": xy[:, 0].tolist(), "pathY": xy[:, 1].tolist()}


def _options(name, extracts, kwargs, defaults, ignored=()):
    require()
    opts = options(name, kwargs, defaults, ignored=_PASSED + ignored)
    if not opts["eps"] > 0:
        raise GalforgeValueError(f"{name}: eps = {opts['eps']!r} is invalid: expected a positive number")
    skipped = SkipCounter()
    return opts, clean_extracts(extracts, skipped), skipped


def _prepare(name, extracts, kwargs, defaults, ignored=()):
    opts, extracts, skipped = _options(name, extracts, kwargs, defaults, ignored)
    return opts, extracts, skipped, group_polygons(extracts, skipped)


def polygon_reducer(extracts, **kwargs):
    """Cluster polygon / freehand drawings and average each cluster; see the module docstring."""
    return next(polygon_reducer_many([(extracts, kwargs)]))


def polygon_reducer_many(calls):
    """Yields ``polygon_reducer(extracts, **kwargs)`` for each ``(extracts, kwargs)`` of ``calls`` (one
    warning each), the drawings of every call checked, packed and repaired together first
    (:func:`group_polygons_many`): the per-call overhead of the C++ and GEOS calls is paid once
    (``galforge reduce`` on many subjects); the clusters of each call are then found as it is yielded."""
    for reduction, skipped in _polygon_reductions(calls):
        skipped.warn("polygon_reducer")
        yield reduction


def _polygon_reductions(calls):
    """(reduction, SkipCounter) per (extracts, kwargs) of polygon_reducer (a generator)."""
    prepared = []
    for extracts, kwargs in calls:
        opts, extracts, skipped = _options("polygon_reducer", extracts, kwargs, POLYGON_DEFAULTS)
        if opts["average_type"] not in AVERAGE_TYPES:
            raise GalforgeValueError(f"polygon_reducer: average_type = {opts['average_type']!r} is invalid: "
                                     f"expected one of {AVERAGE_TYPES}")
        created_at = kwargs.get("created_at")
        if opts["average_type"] == "last" and (created_at is None or len(created_at) != len(extracts)):
            raise GalforgeValueError("polygon_reducer: average_type 'last' needs created_at, one per extract")
        prepared.append((opts, extracts, skipped, kwargs))
    groups = group_polygons_many([p[1] for p in prepared], [p[2] for p in prepared])
    for (opts, extracts, skipped, kwargs), g in zip(prepared, groups):
        yield _polygon_reduction(opts, extracts, g, kwargs), skipped


def _polygon_reduction(opts, extracts, groups, kwargs):
    average_type, created_at = opts["average_type"], kwargs.get("created_at")
    out, count = {}, 0
    for frame, tools in groups.items():
        res = out.setdefault(frame, {})
        for tool, g in tools.items():
            users = g.users
            res[f"{tool}_cluster_labels"] = [-1] * len(g)
            if len(g) < max(1, opts["min_samples"]):
                continue
            d = iou_distances(g)
            labels = dbscan_labels(d, opts["eps"], max(1, opts["min_samples"]))
            res[f"{tool}_cluster_labels"] = labels.tolist()
            for label in sorted(set(labels.tolist()) - {-1}):
                idx = np.flatnonzero(labels == label)
                threshold = len(idx) / len(extracts)
                if not threshold > opts["min_threshold"]:
                    continue
                sub = d[idx][:, idx]
                times = [created_at[users[i]] for i in idx] if average_type == "last" else None
                xy = average_ring(average_type, g, idx, sub, times)
                res.setdefault(f"{tool}_clusters_count", []).append(len(idx))
                out.setdefault("threshold", []).append(threshold)
                res.setdefault(f"{tool}_clusters_x", []).append(xy[:, 0].tolist())
                res.setdefault(f"{tool}_clusters_y", []).append(xy[:, 1].tolist())
                res.setdefault(f"{tool}_consensus", []).append(consensus(sub))
                if opts["collab"]:
                    out.setdefault("data", []).append(_consensus_mark(tool, frame, xy, opts, count))
                    count += 1
    out = dict(sorted(out.items()))
    if not kwargs.get("no_version", False):
        out["aggregation_version"] = AGGREGATION_VERSION
    out["parameters"] = {k: opts[k] for k in POLYGON_DEFAULTS}
    return out


def _simplify_pieces(polygons, keys):
    """Polygon pieces (``buffer(0)``) of ``polygons`` with the drawing indices ``keys`` of each."""
    import shapely

    pieces, piece_keys = [], []
    for geom, key in zip(polygons, keys):
        parts = geom.geoms if geom.geom_type in ("MultiPolygon", "GeometryCollection") else [geom]
        for part in parts:
            if part.geom_type == "Polygon":
                pieces.append(part)
                piece_keys.append(key)
    return list(shapely.buffer(np.array(pieces, dtype=object), 0)) if pieces else [], piece_keys


def intersection_contours(polygons, levels=10):
    """Contour k: the largest hole-free region where at least k drawings overlap (exact geometry),
    found as the reference does: the union of the pairwise intersections of the previous level."""
    import shapely

    polys, keys = _simplify_pieces(polygons, [(i,) for i in range(len(polygons))])
    contours = [unify(polys)]
    while len(contours) < levels and len(polys) > 1:
        pairs = shapely.STRtree(polys).query(polys, predicate="intersects").T
        seen, new_polys, new_keys = set(), [], []
        for i in range(len(polys)):
            js = pairs[pairs[:, 0] == i, 1]
            add = []
            for j in js[js != i]:
                key = tuple(sorted(set(keys[i]) | set(keys[j])))
                if key not in seen:
                    seen.add(key)
                    add.append(j)
                    new_keys.append(key)
            if add:
                new_polys += list(shapely.intersection(polys[i], np.array([polys[k] for k in add], dtype=object)))
        polys, keys = _simplify_pieces(new_polys, new_keys)
        if not polys:
            break
        contours.append(unify(polys))
    return contours


def raster_contours(polygons, num_grid_points=100):
    """Contours of the overlap count sampled on a ``num_grid_points``^2 grid over the cluster's
    bounds (contourpy), the largest line per level, simplified to 0.01 (as the reference)."""
    import shapely
    from contourpy import contour_generator

    require("contourpy")
    bounds = shapely.bounds(np.array(polygons, dtype=object))
    xs = np.linspace(bounds[:, 0].min(), bounds[:, 2].max(), num_grid_points)
    ys = np.linspace(bounds[:, 1].min(), bounds[:, 3].max(), num_grid_points)
    gx, gy = np.meshgrid(xs, ys)
    z = np.zeros(gx.shape)
    for p in polygons:
        z += shapely.contains_xy(p, gx.ravel(), gy.ravel()).reshape(gx.shape)
    contours = []
    for lines in contour_generator(x=gx, y=gy, z=z).multi_lines(np.arange(0, np.max(z), 1, dtype="int")):
        candidates = [shapely.Polygon(xy) for xy in lines if len(xy) >= 3]
        if candidates:
            contours.append(candidates[int(np.argmax(shapely.area(candidates)))])
    return list(shapely.simplify(contours, max(0.5 / num_grid_points, 0.01))) if contours else []


def polygon_reducer_contours(extracts, **kwargs):
    """Cluster as :func:`polygon_reducer`; one dict per cluster with its overlap contours.

    Returns a list (one CSV row each): ``{frame: {tool_cluster_label_for_contours,
    tool_number_of_contours, tool_contours_x, tool_contours_y, tool_consensus, tool_cluster_labels}}``;
    a frame and tool without clusters gives one item with the labels only. Clusters of more than 9
    drawings use :func:`raster_contours`, smaller ones :func:`intersection_contours`.
    """
    opts, extracts, skipped, groups = _prepare("polygon_reducer_contours", extracts, kwargs, CONTOUR_DEFAULTS,
                                               _CONTOUR_IGNORED)
    items = []
    for frame, tools in groups.items():
        for tool, g in tools.items():
            labels = None
            if len(g) >= max(1, opts["min_samples"]):
                d = iou_distances(g)
                labels = dbscan_labels(d, opts["eps"], max(1, opts["min_samples"]))
            if labels is None or not np.any(labels > -1):
                items.append({frame: {f"{tool}_cluster_labels": [-1] * len(g)}})
                continue
            for label in sorted(set(labels.tolist()) - {-1}):
                idx = np.flatnonzero(labels == label)
                members = [g.polygon(i) for i in idx]
                contours = raster_contours(members) if len(idx) > 9 else intersection_contours(members)
                rings = [np.asarray(c.exterior.coords) for c in contours]
                items.append({frame: {
                    f"{tool}_cluster_label_for_contours": int(label),
                    f"{tool}_number_of_contours": len(contours),
                    f"{tool}_contours_x": [r[:, 0].tolist() for r in rings],
                    f"{tool}_contours_y": [r[:, 1].tolist() for r in rings],
                    f"{tool}_consensus": consensus(d[idx][:, idx]),
                    f"{tool}_cluster_labels": labels.tolist()}})
    skipped.warn("polygon_reducer_contours")
    for item in items:
        if not kwargs.get("no_version", False):
            item["aggregation_version"] = AGGREGATION_VERSION
        item["parameters"] = {k: opts[k] for k in CONTOUR_DEFAULTS}
    return items
