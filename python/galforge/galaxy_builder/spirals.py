"""Spiral arms: cluster the drawn polylines and fit a logarithmic spiral to each cluster.

As the original pipeline (gzb_aggregation.md §3): polylines with <= 5 points or self-intersecting
are dropped, arms are split where they pass within 2.5 px of the disk centre, normalised by the
image size, clustered by DBSCAN (eps 1e-3, min_samples 4) on the arm distance; per cluster, the
points are cleaned by a leave-one-polyline-out LocalOutlierFactor, deprojected with the disk
(centre, pa, q), unwrapped per polyline, and ``ln R = c0 + c1 theta`` is fitted by a weighted
BayesianRidge. An arm is kept when R^2 (in R) >= 0.2; arms whose fitted spirals lie within 5e-4
of each other are merged and refitted. Arm parameters (the original's): ``A = exp(c0) W`` px,
``phi = deg(atan(c1))`` signed pitch angle (degrees), ``t_min, t_max`` the 1st/99th percentiles
of theta (radians, deprojected frame whose +y is the disk's major axis). The spiral is
``r = A exp(theta tan phi)``, ``(x, y) = r (q cos theta, sin theta)`` rotated by pa, plus the centre.
"""
import math

import numpy as np

from ..zooniverse._deps import require
from .arm_distance import arm_distance_matrix, mean_squared_distance
from .cluster import cluster_labels

MIN_POINTS = 5
CENTRE_THRESHOLD = 2.5
EPS, MIN_SAMPLES = 1e-3, 4
MERGING_DISTANCE = 5e-4
MIN_R2 = 0.2
_RIDGE = {"alpha_1": 1.0230488753392505e-08, "alpha_2": 0.6923902410146074, "tol": 1e-3}


def usable_arms(arms, min_points=MIN_POINTS):
    """The polylines with more than ``min_points`` points that do not self-intersect."""
    require("shapely")
    from shapely.geometry import LineString
    return [a for a in arms if len(a) > min_points and LineString(a).is_simple]


def split_at_centre(arms, centre, threshold=CENTRE_THRESHOLD):
    """Split each polyline at its points within ``threshold`` px of ``centre`` (those are dropped)."""
    out = []
    for arm in arms:
        near = np.flatnonzero(np.hypot(*(arm - centre).T) < threshold)
        pieces = np.split(arm, near) if near.size else [arm]
        pieces = [pieces[0]] + [p[1:] for p in pieces[1:]]
        out.extend(p for p in pieces if len(p) > 1)
    return out


def _equalise(arms):
    """Each polyline resampled linearly by chord length to the cluster's largest point count."""
    n = max(len(a) for a in arms)
    out = []
    for a in arms:
        s = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(a, axis=0).T))])
        u = np.linspace(0.0, s[-1], n)
        out.append(np.column_stack([np.interp(u, s, a[:, 0]), np.interp(u, s, a[:, 1])]))
    return out


def _inliers(points, groups):
    """LocalOutlierFactor(20, novelty) of each polyline's points against all the other polylines'."""
    from sklearn.neighbors import LocalOutlierFactor
    from sklearn.preprocessing import StandardScaler
    x = StandardScaler().fit_transform(points)
    keep = np.ones(len(points), dtype=bool)
    for g in np.unique(groups):
        mine = groups == g
        lof = LocalOutlierFactor(n_neighbors=20, contamination="auto", novelty=True).fit(x[~mine])
        keep[mine] = lof.predict(x[mine]) > 0
    return keep


def deproject(points, centre, pa, q, size):
    """Data px -> (R, theta) in the disk plane, R in units of ``size`` px (+y = major axis)."""
    p = (points - centre) / size
    c, s = math.cos(pa), math.sin(pa)
    x = (c * p[:, 0] + s * p[:, 1]) / q
    y = -s * p[:, 0] + c * p[:, 1]
    return np.hypot(x, y), np.arctan2(y, x)


def spiral_points(A, phi, t_min, t_max, centre, pa, q, n=100):
    """(n, 2) data-px points of the log spiral (A px, phi degrees, t in radians) on the disk."""
    t = np.linspace(t_min, t_max, n)
    r = A * np.exp(t * math.tan(math.radians(phi)))
    x, y = q * r * np.cos(t), r * np.sin(t)
    c, s = math.cos(pa), math.sin(pa)
    return np.column_stack([c * x - s * y + centre[0], s * x + c * y + centre[1]])


def _unwrap(theta, r, groups):
    """Unwrap theta per polyline; each later polyline shifted by -2pi, 0 or 2pi to sit closest to
    the line joining the already-unwrapped points of smallest and largest theta."""
    out = theta.copy()
    scale = 2.0 * np.pi / r.max()
    done = np.zeros(len(theta), dtype=bool)
    for k, g in enumerate(np.unique(groups)):
        mine = groups == g
        t = np.unwrap(theta[mine])
        if k:
            lo, hi = np.argmin(np.where(done, out, np.inf)), np.argmax(np.where(done, out, -np.inf))
            ref = np.array([[out[lo], r[lo] * scale], [out[hi], r[hi] * scale]])
            cost = []
            for delta in (-2 * np.pi, 0.0, 2 * np.pi):
                c = np.column_stack([t + delta, r[mine] * scale])
                cost.append(min(mean_squared_distance(c, ref), mean_squared_distance(ref, c)))
            t = t + (-2 * np.pi, 0.0, 2 * np.pi)[int(np.argmin(cost))]
        out[mine] = t
        done |= mine
    return out


def _weights(r, groups):
    """R^2 times the (interpolated) fraction of polylines covering each radius."""
    edges = np.linspace(r.min(), r.max(), 100)
    spans = [(r[groups == g].min(), r[groups == g].max()) for g in np.unique(groups)]
    counts = np.array([sum(lo_g <= hi and hi_g >= lo for lo_g, hi_g in spans)
                       for lo, hi in zip(edges[:-1], edges[1:])] + [0], dtype=np.float64)
    w = r ** 2 * np.interp(r, edges, counts / counts.sum())
    return w / w.mean()


def fit_arm(polylines, centre, pa, q, size, clean=True):
    """Log-spiral fit of one cluster of polylines (data px); a dict, or None if R^2 < 0.2."""
    from sklearn.linear_model import BayesianRidge
    from sklearn.metrics import r2_score
    points = np.concatenate(polylines)
    groups = np.concatenate([np.full(len(p), k) for k, p in enumerate(polylines)])
    r, theta = deproject(points, centre, pa, q, size)
    theta = _unwrap(theta, r, groups)
    if clean:
        keep = _inliers(points, groups)
        r, theta, groups = r[keep], theta[keep], groups[keep]
    w = _weights(r, groups)
    x = np.column_stack([np.ones_like(theta), theta])
    ridge = BayesianRidge(fit_intercept=False, compute_score=True, max_iter=300, **_RIDGE)
    ridge.fit(x, np.log(r), sample_weight=w)
    c0, c1 = ridge.coef_
    t = np.linspace(np.percentile(theta, 1), np.percentile(theta, 99), 500)
    score = r2_score(r, np.exp(c0 + c1 * theta))
    if score < MIN_R2:
        return None
    arm = {"A": float(math.exp(c0) * size), "phi": math.degrees(math.atan(c1)),
           "phi_spread": math.degrees(math.sqrt(ridge.sigma_[1, 1]) / (1.0 + c1 * c1)),
           "t_min": float(t[0]), "t_max": float(t[-1]), "r2": float(score),
           "n_polylines": len(polylines), "n_points": int(r.size)}
    arm["points"] = spiral_points(arm["A"], arm["phi"], t[0], t[-1], centre, pa, q, n=500)
    arm["polylines"] = list(polylines)
    return arm


def _merge(arms, centre, pa, q, size):
    """Greedy merge of arms whose fitted spirals are within MERGING_DISTANCE; groups refitted first."""
    n = len(arms)
    groups = []
    for i in range(n):
        for j in range(i + 1, n):
            a, b = arms[i]["points"] / size, arms[j]["points"] / size
            if min(mean_squared_distance(a, b), mean_squared_distance(b, a)) <= MERGING_DISTANCE:
                hit = [g for g in groups if i in g or j in g]
                if hit:
                    hit[0].update((i, j))
                else:
                    groups.append({i, j})
    merged = [fit_arm(_equalise([p for k in sorted(g) for p in arms[k]["polylines"]]), centre, pa, q, size)
              for g in groups]
    grouped = set().union(*groups) if groups else set()
    return [a for a in merged if a is not None] + [a for k, a in enumerate(arms) if k not in grouped]


def aggregate_arms(arm_drawings, centre, pa, q, size):
    """Spiral arms of a subject from every volunteer's polylines (data px) and the consensus disk.

    Returns (arms, labels): arm dicts (A, phi, phi_spread, t_min, t_max, r2, n_polylines, n_points,
    points, polylines), and the DBSCAN label of each polyline after splitting (-1 noise).
    """
    require()
    centre = np.asarray(centre, dtype=np.float64)
    arms = split_at_centre(usable_arms(arm_drawings), centre)
    if len(arms) < 1:
        return [], np.zeros(0, dtype=int)
    labels = cluster_labels(arm_distance_matrix([a / size for a in arms]), EPS, MIN_SAMPLES)
    fitted = []
    for label in range(labels.max() + 1):
        arm = fit_arm([a for a, lab in zip(arms, labels) if lab == label], centre, pa, q, size)
        if arm is not None:
            fitted.append(arm)
    return _merge(fitted, centre, pa, q, size), labels


__all__ = ["aggregate_arms", "deproject", "fit_arm", "spiral_points", "split_at_centre", "usable_arms"]
