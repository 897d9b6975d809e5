"""Consensus of a cluster of component drawings: the "Jaccard median" and member spreads (§2.3-2.4).

The consensus shape minimises the sum of IoU distances to the members' polygons over
(x0, y0, r_e, q, pa), by scipy L-BFGS-B from the members' mean with the original bounds (finite
difference gradients, as the original). The spread of each parameter is the members' standard
deviation (ddof = 1); for ``pa`` the pi-periodic circular one. ``ie``, ``n`` and ``c`` (slider
values, which the original replaced by constants) are the members' medians with their spreads.
"""
import math

import numpy as np

from ..polygons import iou
from ..zooniverse._deps import require
from .shapes import component_polygon

GEOMETRY = ("x0", "y0", "r_e", "q", "pa")
# (r_e, q) bounds of the original optimiser; x0, y0, pa are free.
BOUNDS = {"disk": ((0.01, None), (0.25, 1.2)), "bulge": ((0.0, None), (0.6, 1.2)), "bar": ((0.0, None), (0.05, 0.5))}


def circular_spread(angles, period=math.pi):
    """Standard deviation (ddof = 1) of axis angles modulo ``period``, each shifted to the circular mean."""
    a = np.asarray(angles, dtype=np.float64)
    k = 2.0 * np.pi / period
    mu = (math.atan2(np.mean(np.sin(k * a)), np.mean(np.cos(k * a))) % (2.0 * np.pi)) / k
    shifted = a - period * np.round((a - mu) / period)
    return float(np.std(shifted, ddof=1)) if a.size > 1 else 0.0


def _iou_sum(kind, p, polygons):
    if p[2] <= 0.0 or p[3] <= 0.0:
        return float(len(polygons))
    candidate = component_polygon(kind, *p)
    return float(sum(1.0 - iou(candidate, m) for m in polygons))


def jaccard_median(kind, members):
    """(x0, y0, r_e, q, pa) minimising the summed IoU distance to the members (galforge dicts)."""
    require("scipy")
    from scipy.optimize import minimize
    polygons = [component_polygon(kind, **m) for m in members]
    x0 = np.array([np.mean([m[k] for m in members]) for k in GEOMETRY])
    bounds = [(None, None), (None, None), *BOUNDS[kind], (None, None)]
    res = minimize(lambda p: _iou_sum(kind, p, polygons), x0, method="L-BFGS-B", bounds=bounds)
    return dict(zip(GEOMETRY, map(float, res.x)))


def consensus(kind, members):
    """(parameters, spreads): galforge Sersic keywords of the consensus and each one's spread.

    As the original ``sanitize_model``: q > 1 is flipped (r_e q, 1/q, pa + pi/2) and pa wrapped to [0, pi).
    """
    geometry = jaccard_median(kind, members)
    if geometry["q"] > 1.0:
        geometry.update(r_e=geometry["r_e"] * geometry["q"], q=1.0 / geometry["q"], pa=geometry["pa"] + math.pi / 2)
    geometry["pa"] %= math.pi
    params = {**geometry, **{k: float(np.median([m[k] for m in members])) for k in ("ie", "n", "c")}}
    ddof = 1 if len(members) > 1 else 0
    spreads = {k: float(np.std([m[k] for m in members], ddof=ddof)) for k in params if k != "pa"}
    spreads["pa"] = circular_spread([m["pa"] for m in members])
    return params, {k: spreads[k] for k in params}


__all__ = ["BOUNDS", "GEOMETRY", "circular_spread", "consensus", "jaccard_median"]
