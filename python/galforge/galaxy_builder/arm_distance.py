"""The original polyline distance of spiral-arm clustering (gzb_aggregation.md §3.1).

``D(A, B)`` is the mean over the vertices of A of the squared distance to the nearest point of
polyline B; the arm distance is ``D(A, B) + D(B, A)`` (symmetric, 0 for identical arms).
"""
import numpy as np


def mean_squared_distance(a, b):
    """D(A, B): mean over the vertices a of A of min over segments of B of |a - segment|^2."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if len(b) == 1:
        return float(np.mean(np.sum((a - b[0]) ** 2, axis=1)))
    start, seg = b[:-1], np.diff(b, axis=0)                 # (m, 2)
    length2 = np.sum(seg * seg, axis=1)                      # (m,)
    rel = a[:, None, :] - start[None, :, :]                  # (n, m, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, np.sum(rel * seg[None], axis=2) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    d2 = np.sum((rel - t[..., None] * seg[None]) ** 2, axis=2)
    return float(np.mean(d2.min(axis=1)))


def arm_distance(a, b):
    """Symmetric arm distance D(A, B) + D(B, A)."""
    return mean_squared_distance(a, b) + mean_squared_distance(b, a)


def arm_distance_matrix(arms):
    """(N, N) symmetric matrix of arm distances, zero diagonal, float32 as the original."""
    n = len(arms)
    out = np.zeros((n, n), dtype=np.float32)
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = arm_distance(arms[i], arms[j])
    return out


__all__ = ["arm_distance", "arm_distance_matrix", "mean_squared_distance"]
