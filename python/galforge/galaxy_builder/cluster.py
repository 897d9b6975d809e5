"""DBSCAN of component drawings on IoU (Jaccard) distances from the C++ core (gzb_aggregation.md §2.2).

Parameters as the original ``config.COMPONENT_CLUSTERING_PARAMS``; only the largest cluster is kept
(lowest label on a tie); all noise means no cluster.
"""
import numpy as np

from ..polygons import iou_distance_matrix
from ..zooniverse._deps import require
from .shapes import component_polygon

CLUSTERING = {"disk": {"eps": 0.3, "min_samples": 4},
              "bulge": {"eps": 0.4, "min_samples": 4},
              "bar": {"eps": 0.47839828189143974, "min_samples": 4}}


def cluster_labels(distances, eps, min_samples):
    """sklearn DBSCAN labels (-1 noise) on a precomputed distance matrix."""
    require("sklearn")
    from sklearn.cluster import DBSCAN
    return DBSCAN(eps=eps, min_samples=min_samples, metric="precomputed").fit(distances).labels_


def main_cluster(kind, components, eps=None, min_samples=None):
    """Indices into ``components`` (galforge Sersic keyword dicts of one ``kind``) of the largest
    DBSCAN cluster of their polygons, in input order; an empty array when every drawing is noise."""
    params = CLUSTERING[kind]
    eps = params["eps"] if eps is None else eps
    min_samples = params["min_samples"] if min_samples is None else min_samples
    if not components:
        return np.zeros(0, dtype=int)
    polygons = [component_polygon(kind, **c) for c in components]
    labels = cluster_labels(iou_distance_matrix(polygons), eps, min_samples)
    kept = labels[labels >= 0]
    if kept.size == 0:
        return np.zeros(0, dtype=int)
    counts = np.bincount(kept)
    return np.flatnonzero(labels == int(np.argmax(counts)))


__all__ = ["CLUSTERING", "cluster_labels", "main_cluster"]
