"""Galaxy Builder consensus shapes: galforge (C++ IoU) vs the original's shapely geometry, same optimiser.

The original (gzbuilder_analysis, gzb_aggregation.md §2.3) minimises the summed Jaccard distance of a
shapely ``Point.buffer(1)`` ellipse (scaled, rotated) to the cluster members with scipy L-BFGS-B; the
peer here is that computation written with shapely 2, on the example subject's disk and bar clusters.
"""
import math
import os
import warnings

import numpy as np
import pytest
from galforge.galaxy_builder import aggregate, parse_classifications
from galforge.galaxy_builder.consensus import BOUNDS, GEOMETRY, jaccard_median

shapely = pytest.importorskip("shapely")
optimize = pytest.importorskip("scipy.optimize")
from shapely import affinity

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "galaxy_builder")
if not os.path.isdir(DATA):
    pytest.skip("the shared Galaxy Builder example is absent", allow_module_level=True)


def _clusters():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawings = parse_classifications(os.path.join(DATA, "example_classifications.csv"), width=135)
        agg = aggregate(drawings, 135)
    return {k: [getattr(drawings[i], k) for i in agg.members[k]] for k in ("disk", "bar")}


CLUSTERS = _clusters()


def _shapely_geom(kind, x0, y0, r_e, q, pa):
    if kind == "bar":
        g = shapely.box(x0 - r_e * q, y0 - r_e, x0 + r_e * q, y0 + r_e)
    else:
        g = affinity.scale(shapely.Point(x0, y0).buffer(1.0), r_e * q, r_e)
    return affinity.rotate(g, pa, use_radians=True)


def shapely_jaccard_median(kind, members):
    geoms = [_shapely_geom(kind, *(m[k] for k in GEOMETRY)) for m in members]

    def f(p):
        cand = _shapely_geom(kind, *p)
        total = 0.0
        for g in geoms:
            union = cand.union(g).area
            total += 1.0 - cand.intersection(g).area / union if union > 0 else 1.0
        return total

    x0 = np.array([np.mean([m[k] for m in members]) for k in GEOMETRY])
    res = optimize.minimize(f, x0, method="L-BFGS-B", bounds=[(None, None), (None, None), *BOUNDS[kind], (None, None)])
    return dict(zip(GEOMETRY, res.x))


CASES = [(kind, code) for kind in ("disk", "bar") for code in ("galforge", "shapely")]


@pytest.mark.parametrize("kind, code", CASES, ids=[f"{k}-{c}" for k, c in CASES])
def test_jaccard_median(benchmark, kind, code):
    members = CLUSTERS[kind]
    run = {"galforge": jaccard_median, "shapely": shapely_jaccard_median}[code]
    benchmark.group = f"gzb-jaccard-median-{kind}"
    result = benchmark.pedantic(run, args=(kind, members), rounds=3, iterations=1)
    expected = shapely_jaccard_median(kind, members) if code == "galforge" else result
    benchmark.extra_info["max_abs_difference"] = max(abs(result[k] - expected[k]) for k in GEOMETRY)
    assert math.hypot(result["x0"] - expected["x0"], result["y0"] - expected["y0"]) < 0.1
    assert result["r_e"] == pytest.approx(expected["r_e"], rel=0.01)
