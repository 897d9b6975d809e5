"""DBSCAN on a precomputed distance matrix, as scikit-learn labels it.

Neighbours are the points at distance ``<= eps`` (the point itself included; ``inf`` never is a
neighbour); core points have at least ``min_samples`` neighbours; clusters are grown from the
core points in index order by scikit-learn's own Cython routine (``dbscan_inner``), so labels are
exactly ``sklearn.cluster.DBSCAN(metric='precomputed')``'s. The estimator itself costs ~1 ms of
validation per call, 20x the work on a subject's few drawings, so it is used only if that
private routine ever disappears.
"""
import numpy as np


def dbscan_labels(distances, eps, min_samples):
    """Cluster labels (-1: noise) of the points of an (n, n) distance matrix (inf allowed)."""
    n = len(distances)
    near = distances <= eps
    try:
        from sklearn.cluster._dbscan_inner import dbscan_inner
    except ImportError:  # pragma: no cover - depends on scikit-learn's internals
        from sklearn.cluster import DBSCAN

        finite = np.where(np.isfinite(distances), distances, 2.0 * abs(eps) + 2.0)
        return DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(finite).labels_
    neighborhoods = np.empty(n, dtype=object)
    neighborhoods[:] = [row.nonzero()[0] for row in near]
    core = (near.sum(axis=1) >= min_samples).astype(np.uint8)
    labels = np.full(n, -1, dtype=np.intp)
    dbscan_inner(core, neighborhoods, labels)
    return labels
