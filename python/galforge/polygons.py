"""Polygon areas, exact intersection areas, IoU and pairwise IoU distance matrices, ring simplicity
(C++ core).

A polygon is an ``(n, 2)`` array-like of vertices ``x, y`` with n >= 3, in either orientation;
the ring is closed implicitly (a last vertex equal to the first is dropped). Polygons must be
simple (not self-intersecting: that is not checked). Intersections are exact up to rounding
(Green's theorem over the clipped edges), shared and collinear edges included. A polygon with
fewer than 3 vertices, a non-finite coordinate or zero area raises
:class:`~galforge.errors.GalforgeValueError` (a ``ValueError``) naming it (its index in
``iou_distance_matrix``: "polygon 3 has zero area").
"""
import numpy as np

from . import _core
from ._checks import positive_int
from .errors import GalforgeValueError


def _vertices(name, poly):
    """``poly`` as a C-contiguous float64 (n, 2) array without a repeated closing vertex."""
    try:
        arr = np.asarray(poly, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise GalforgeValueError(f"{name} must be an (n, 2) array of x, y vertices: {exc}") from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise GalforgeValueError(f"{name} must be an (n, 2) array of x, y vertices, got shape {arr.shape}")
    if arr.shape[0] > 1 and arr[0, 0] == arr[-1, 0] and arr[0, 1] == arr[-1, 1]:
        arr = arr[:-1]
    return np.ascontiguousarray(arr)


def pack(arrays):
    """(xy, offsets) of (k, 2) float64 vertex arrays: all vertices in one (total, 2) array, array k at
    rows offsets[k] .. offsets[k + 1] - 1 (the layout of the core's polygon functions)."""
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    if len(arrays):
        np.cumsum([len(p) for p in arrays], out=offsets[1:])
    xy = np.concatenate(arrays) if len(arrays) else np.zeros((0, 2), dtype=np.float64)
    return xy, offsets


def _packed(polygons):
    """:func:`pack` of the validated polygons (closing vertices dropped)."""
    return pack([_vertices(f"polygons[{k}]", p) for k, p in enumerate(polygons)])


def polygon_area(poly):
    """Area of a simple polygon (shoelace), whatever its orientation."""
    return _core.polygon_area(_vertices("polygon", poly))


def intersection_area(a, b):
    """Area of the intersection of two simple polygons (0 when they only touch)."""
    return _core.intersection_area(_vertices("a", a), _vertices("b", b))


def iou(a, b):
    """Intersection over union of two simple polygons, in [0, 1]."""
    return _core.polygon_iou(_vertices("a", a), _vertices("b", b))


def iou_distance_matrix(polygons, groups=None, threads=1):
    """Pairwise IoU distances ``1 - IoU`` of N polygons as an (N, N) float64 array.

    Same convention as panoptes_aggregation's ``IoU_metric_polygon`` / ``IoU_distance_matrix_of_cluster``:
    the diagonal is 0; two different polygons with the same ``groups`` entry (e.g. drawn in the
    same classification) are at distance ``inf``; polygons that do not overlap (or only touch) are
    at distance 1. ``groups``: None or N integers. ``threads``: OpenMP threads over rows.
    """
    xy, offsets = _packed(polygons)
    n = len(offsets) - 1
    if groups is not None:
        g = np.asarray(groups)
        if g.shape != (n,) or not (np.issubdtype(g.dtype, np.integer) or g.dtype == bool):
            raise GalforgeValueError(f"groups must hold {n} integers (one per polygon), got shape {g.shape} "
                                     f"and dtype {g.dtype}")
        groups = np.ascontiguousarray(g, dtype=np.int64)
    return _core.iou_distance_matrix(xy, offsets, groups, positive_int("threads", threads))


def ring_simplicity(polygons):
    """Whether each polygon's ring is simple, as GEOS (``shapely.is_simple``) decides it, where that is
    certain in floating point: an int8 array, 1 simple, 0 not simple, -1 undecided (edges that touch,
    or are nearly collinear, in ways GEOS's double-double arithmetic might see otherwise; ask GEOS).

    A ring is simple when, repeated consecutive vertices aside, no two edges meet except consecutive
    edges at their shared vertex (a spike, consecutive edges overlapping, is not simple). Polygons
    are (n, 2) array-likes, closed implicitly; non-finite coordinates give -1.
    """
    return _core.rings_simplicity(*_packed(polygons))


__all__ = ["intersection_area", "iou", "iou_distance_matrix", "polygon_area", "ring_simplicity"]
