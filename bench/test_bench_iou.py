"""IoU distance matrix of N freehand-like polygons: galforge vs shapely 2 (vectorised) vs panoptes_aggregation.

Peers run where one call takes under ~30 s here: shapely up to N = 300 (~50 s at 1000), panoptes
up to N = 300 (~21 s there; minutes at 1000). `max_rel_error` is the largest absolute difference
of the distances from shapely's (at N = 1000 over a random sample of 5000 pairs).
`test_iou_matrix_long`: 30 outlines of 340 vertices (the size of the cat project's drawings).
"""
import functools

import numpy as np
import pytest

import galforge as gf

shapely = pytest.importorskip("shapely")

SIZES = (10, 30, 100, 300, 1000)
SHAPELY_SIZES = (10, 30, 100, 300)
PANOPTES_SIZES = (10, 30, 100, 300)  # the reference takes ~0.5 ms per pair


def freehand_polygons(n, rng):
    """Star-shaped (simple) polygons of 8-60 vertices, radius 50 +-30 %, in clusters of 10 whose
    centres (sigma 10 px jitter) lie in a 200 px box, so that most pairs overlap."""
    polys = []
    centres = rng.uniform(0, 200, (max(1, n // 10), 2))
    while len(polys) < n:
        k = int(rng.integers(8, 61))
        cx, cy = centres[len(polys) % len(centres)] + rng.normal(0, 10, 2)
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radii = 50 * rng.uniform(0.7, 1.3, k)
        p = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
        if shapely.Polygon(p).is_valid:
            polys.append(p)
    return polys


def shapely_distances(polys, i, j):
    """1 - IoU of the pairs (i[k], j[k]) with shapely 2's vectorised areas and intersections."""
    geoms = np.array([shapely.Polygon(p) for p in polys])
    areas = shapely.area(geoms)
    inter = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    return 1.0 - inter / (areas[i] + areas[j] - inter)


def shapely_matrix(polys):
    n = len(polys)
    i, j = np.triu_indices(n, 1)
    d = np.zeros((n, n))
    d[i, j] = shapely_distances(polys, i, j)
    d[j, i] = d[i, j]
    return d


def panoptes_matrix(polys):
    utils = pytest.importorskip("panoptes_aggregation.reducers.polygon_reducer_utils")
    n = len(polys)
    X = np.column_stack([np.arange(n), np.arange(n)]).astype(float)  # one polygon per user
    data = [{"polygon": shapely.Polygon(p), "gold_standard": False} for p in polys]
    mask = np.ones(n, bool)
    return lambda: utils.IoU_distance_matrix_of_cluster(mask, X, data)


@functools.cache
def polygons(n):
    return freehand_polygons(n, np.random.default_rng(12345 + n))


@functools.cache
def reference_pairs(n):
    """Pairs (i, j) checked against shapely and their distances: all pairs, or 5000 at random."""
    i, j = np.triu_indices(n, 1)
    if len(i) > 5000:
        pick = np.random.default_rng(n).choice(len(i), 5000, replace=False)
        i, j = i[pick], j[pick]
    return i, j, shapely_distances(polygons(n), i, j)


CASES = [(n, code) for n in SIZES for code in ("galforge", "galforge-2threads")]
CASES += [(n, "shapely-vectorised") for n in SHAPELY_SIZES]
CASES += [(n, "panoptes") for n in PANOPTES_SIZES]


@pytest.mark.parametrize("n, code", CASES, ids=[f"{n}-{code}" for n, code in CASES])
def test_iou_matrix(benchmark, n, code):
    polys = polygons(n)
    runs = {
        "galforge": lambda: gf.iou_distance_matrix(polys),
        "galforge-2threads": lambda: gf.iou_distance_matrix(polys, threads=2),
        "shapely-vectorised": lambda: shapely_matrix(polys),
    }
    run = panoptes_matrix(polys) if code == "panoptes" else runs[code]
    benchmark.group = f"iou-matrix-{n}"
    if code == "panoptes" or (code == "shapely-vectorised" and n >= 300):
        result = benchmark.pedantic(run, rounds=1 if n >= 100 else 3, iterations=1)
    else:
        result = benchmark(run)
    i, j, expected = reference_pairs(n)
    benchmark.extra_info["max_rel_error"] = float(np.abs(result[i, j] - expected).max())


def long_outlines(n, vertices, rng):
    """Smooth closed outlines (radius 50 with a low-order wobble and a random walk of 2 %), centres
    within 10 px of each other: every pair overlaps and the outlines cross a few times."""
    polys = []
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    while len(polys) < n:
        walk = np.cumsum(rng.normal(0, 1, vertices))
        walk -= np.linspace(0, walk[-1], vertices)  # closes
        r = 50 * (1 + 0.1 * np.sin(3 * t + rng.uniform(0, 2 * np.pi)) + 0.02 * walk / np.sqrt(vertices))
        cx, cy = rng.normal(100, 5, 2)
        p = np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])
        if shapely.Polygon(p).is_valid:
            polys.append(p)
    return polys


LONG_CODES = ("galforge", "galforge-2threads", "shapely-vectorised", "panoptes")


@pytest.mark.parametrize("code", LONG_CODES)
def test_iou_matrix_long(benchmark, code):
    polys = long_outlines(30, 340, np.random.default_rng(2024))
    runs = {
        "galforge": lambda: gf.iou_distance_matrix(polys),
        "galforge-2threads": lambda: gf.iou_distance_matrix(polys, threads=2),
        "shapely-vectorised": lambda: shapely_matrix(polys),
    }
    run = panoptes_matrix(polys) if code == "panoptes" else runs[code]
    benchmark.group = "iou-matrix-30x340"
    result = benchmark.pedantic(run, rounds=3, iterations=1) if code == "panoptes" else benchmark(run)
    i, j = np.triu_indices(len(polys), 1)
    benchmark.extra_info["max_rel_error"] = float(np.abs(result[i, j] - shapely_distances(polys, i, j)).max())
