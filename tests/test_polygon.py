"""Polygon areas, intersections, IoU and IoU distance matrices against shapely (GEOS) and panoptes."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import galforge as gf
from galforge.polygons import iou

shapely = pytest.importorskip("shapely")


def ref_intersection(a, b):
    return shapely.Polygon(a).intersection(shapely.Polygon(b)).area


def ref_iou(a, b):
    pa, pb = shapely.Polygon(a), shapely.Polygon(b)
    inter = pa.intersection(pb).area
    return inter / pa.union(pb).area


def ref_distance_matrix(polys, groups=None):
    shp = [shapely.Polygon(p) for p in polys]
    n = len(shp)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if groups is not None and groups[i] == groups[j]:
                d[i, j] = np.inf
            else:
                inter = shp[i].intersection(shp[j]).area
                d[i, j] = 1.0 - inter / shp[i].union(shp[j]).area
            d[j, i] = d[i, j]
    return d


def assert_close(got, expected, scale):
    """1e-9 relative, plus 1e-12 of the polygons' area scale absolute (for near-empty intersections)."""
    assert abs(got - expected) <= 1e-9 * abs(expected) + 1e-12 * scale, (got, expected)


def check_pair(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = max(shapely.Polygon(a).area, shapely.Polygon(b).area)
    inter = gf.intersection_area(a, b)
    assert_close(inter, ref_intersection(a, b), scale)
    assert_close(gf.intersection_area(b, a), inter, scale)
    assert_close(iou(a, b), ref_iou(a, b), 1.0)
    # Invariant under orientation and start vertex.
    assert_close(gf.intersection_area(a[::-1], np.roll(b, 1, axis=0)), inter, scale)
    return inter


# --- generators -------------------------------------------------------------------------------

def OFFSETS(low, high):
    """Shifts of the generated shapes, without subnormal numbers: GEOS (the reference) fails on
    coordinates such as 2.2e-311 next to exact zeros (TopologyException, or areas off by ~1%);
    test_subnormal_offsets_give_the_limit covers them against the unshifted shapes instead."""
    return st.floats(low, high, allow_subnormal=False)


def star(cx, cy, angles, radii):
    angles = np.asarray(angles)
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


@st.composite
def star_polygons(draw, max_vertices=30):
    n = draw(st.integers(3, max_vertices))
    gaps = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=n, max_size=n)))
    gaps = gaps / gaps.sum() * 2 * np.pi
    if gaps.max() >= np.pi * 0.95:  # keep every angular gap < pi so the star polygon is simple
        gaps = np.full(n, 2 * np.pi / n)
    angles = draw(st.floats(0, 2 * np.pi)) + np.cumsum(gaps)
    radii = np.array(draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n)))
    cx, cy = draw(OFFSETS(-1.0, 1.0)), draw(OFFSETS(-1.0, 1.0))
    scale = draw(st.sampled_from([1.0, 1e-3, 300.0]))
    p = star(cx, cy, angles, radii) * scale
    return p if draw(st.booleans()) else p[::-1]


@st.composite
def grid_rectangles(draw):
    x0, y0 = draw(st.integers(-4, 4)), draw(st.integers(-4, 4))
    w, h = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    p = np.array([[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h]], float)
    return np.roll(p, draw(st.integers(0, 3)), axis=0) if draw(st.booleans()) else p[::-1]


@st.composite
def grid_triangles(draw):
    pts = draw(st.lists(st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=3, max_size=3, unique=True))
    p = np.array(pts, float)
    x, y = p[:, 0], p[:, 1]
    if (x[1] - x[0]) * (y[2] - y[0]) - (y[1] - y[0]) * (x[2] - x[0]) == 0:
        p = np.array([[0, 0], [3, 0], [0, 2]], float)
    return p


GRID_SHAPES = [
    np.array([[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4]], float),                # L
    np.array([[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3]], float),  # U
    np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float),
]


@st.composite
def grid_shapes(draw):
    p = draw(st.sampled_from(GRID_SHAPES)) + np.array([draw(st.integers(-3, 3)), draw(st.integers(-3, 3))])
    return p if draw(st.booleans()) else p[::-1]


any_grid = st.one_of(grid_rectangles(), grid_triangles(), grid_shapes())


@st.composite
def combs(draw):
    """Non-convex, not star-shaped: a bar with 1-8 teeth of random widths and heights, rotated,
    shifted and in either orientation. Two combs cross many times, often several times on one edge."""
    k = draw(st.integers(1, 8))
    xs = np.sort(draw(st.lists(st.integers(0, 40), min_size=2 * k, max_size=2 * k, unique=True))) / 40
    heights = draw(st.lists(st.floats(0.2, 1.0), min_size=k, max_size=k))
    pts = [(xs[0] - 0.05, -0.1), (xs[-1] + 0.05, -0.1), (xs[-1] + 0.05, 0.0)]
    for i in reversed(range(k)):
        pts += [(xs[2 * i + 1], 0.0), (xs[2 * i + 1], heights[i]), (xs[2 * i], heights[i]), (xs[2 * i], 0.0)]
    pts.append((xs[0] - 0.05, 0.0))
    p = np.array(pts)
    angle = draw(st.floats(0, 2 * np.pi))
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    p = p @ rot.T + [draw(OFFSETS(-0.5, 0.5)), draw(OFFSETS(-0.5, 0.5))]
    return p if draw(st.booleans()) else p[::-1]


@st.composite
def radial_star(draw, max_vertices=30):
    """Parameters (cx, cy, angles, radii) of a star polygon around (cx, cy) with equally spaced
    directions and random radii, to build relatives sharing its directions."""
    n = draw(st.integers(3, max_vertices))
    angles = draw(st.floats(0, 2 * np.pi)) + np.arange(n) * 2 * np.pi / n
    radii = np.array(draw(st.lists(st.floats(0.2, 1.0), min_size=n, max_size=n)))
    cx, cy = draw(OFFSETS(-1.0, 1.0)), draw(OFFSETS(-1.0, 1.0))
    return cx, cy, angles, radii


@st.composite
def nested_pairs(draw):
    """A star polygon and a copy shrunk towards its centre (so inside it), in random order and
    orientations."""
    cx, cy, angles, radii = draw(radial_star())
    a = star(cx, cy, angles, radii)
    b = star(cx, cy, angles, radii * draw(st.floats(0.05, 0.95)))
    a, b = (a if draw(st.booleans()) else a[::-1]), (b if draw(st.booleans()) else b[::-1])
    return (a, b) if draw(st.booleans()) else (b, a)


@st.composite
def shared_vertex_pairs(draw):
    """A star polygon and a copy with some vertices moved along their rays: shared vertices,
    shared (collinear, same-direction) edges and edges touching at a vertex."""
    cx, cy, angles, radii = draw(radial_star(24))
    factors = np.array(draw(st.lists(st.sampled_from([1.0, 1.0, 0.5, 1.5]), min_size=len(radii),
                                     max_size=len(radii))))
    a = star(cx, cy, angles, radii)
    b = star(cx, cy, angles, radii * factors)
    return a, (b if draw(st.booleans()) else b[::-1])


# --- areas ------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(p=star_polygons())
def test_area_matches_shapely(p):
    assert_close(gf.polygon_area(p), shapely.Polygon(p).area, 0.0)
    closed = np.vstack([p, p[:1]])
    assert gf.polygon_area(closed) == gf.polygon_area(p)


# --- intersections: random ----------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(a=star_polygons(), b=star_polygons())
def test_star_polygons_match_shapely(a, b):
    check_pair(a, b)


@settings(max_examples=300, deadline=None)
@given(a=any_grid, b=any_grid)
def test_grid_shapes_match_shapely(a, b):
    """Integer coordinates: shared edges, collinear overlaps, touching vertices and nesting are common."""
    check_pair(a, b)


@settings(max_examples=100, deadline=None)
@given(a=star_polygons())
def test_identical_and_reversed(a):
    area = shapely.Polygon(a).area
    assert_close(gf.intersection_area(a, a), area, area)
    assert_close(gf.intersection_area(a, a[::-1]), area, area)
    assert_close(iou(a, np.roll(a, 2, axis=0)), 1.0, 1.0)


@settings(max_examples=100, deadline=None)
@given(a=combs(), b=combs())
def test_combs_match_shapely(a, b):
    """Many crossings per edge and per pair: the crossings' order along an edge matters."""
    check_pair(a, b)


@settings(max_examples=100, deadline=None)
@given(a=combs(), b=combs(), offsets=st.lists(st.sampled_from([2.2e-311, -3e-315, 5e-324, 1e-310]), min_size=4,
                                              max_size=4))
def test_subnormal_offsets_give_the_limit(a, b, offsets):
    """Shifting by subnormal amounts changes the intersection by far less than 1e-300: the area equals
    that of the unshifted shapes, where GEOS is reliable."""
    expected = ref_intersection(a, b)
    shifted_a, shifted_b = a + offsets[:2], b + offsets[2:]
    assert_close(gf.intersection_area(shifted_a, shifted_b), expected, max(expected, 1e-3))


@settings(max_examples=100, deadline=None)
@given(pair=nested_pairs())
def test_nested_match_shapely(pair):
    a, b = pair
    inter = check_pair(a, b)
    small = min(shapely.Polygon(a).area, shapely.Polygon(b).area)
    assert_close(inter, small, small)  # one inside the other: the smaller area


@settings(max_examples=100, deadline=None)
@given(pair=shared_vertex_pairs())
def test_shared_vertices_match_shapely(pair):
    check_pair(*pair)


@settings(max_examples=15, deadline=None)
@given(a=star_polygons(300), b=star_polygons(300))
def test_large_polygons_match_shapely(a, b):
    check_pair(a, b)


# --- intersections: hard cases written out ------------------------------------------------------

SQ = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)

HARD = {
    "identical": (SQ, SQ, 1.0),
    "same-edges-opposite-orientation": (SQ, SQ[::-1], 1.0),
    "shared-edge-outside": (SQ, SQ + [1, 0], 0.0),
    "shared-edge-inside": (SQ, np.array([[0, 0], [0.5, 0], [0.5, 1], [0, 1]]), 0.5),
    "touching-vertex": (SQ, SQ + [1, 1], 0.0),
    "vertex-on-edge": (SQ, np.array([[1, 0.5], [2, 0], [2, 1]]), 0.0),
    "nested": (SQ * 4, SQ + [1, 1], 1.0),
    "nested-touching-inside": (SQ * 4, SQ + [0, 1], 1.0),
    "collinear-overlap": (np.array([[0, 0], [3, 0], [3, 1], [0, 1]]), np.array([[1, 0], [5, 0], [5, 2], [1, 2]]), 2.0),
    "collinear-overlap-outside": (np.array([[0, 0], [3, 0], [3, 1], [0, 1]]),
                                  np.array([[1, 0], [1, -2], [5, -2], [5, 0]]), 0.0),
    "offset-half": (SQ, SQ + [0.5, 0], 0.5),
    "cross": (np.array([[0, 1], [3, 1], [3, 2], [0, 2]]), np.array([[1, 0], [2, 0], [2, 3], [1, 3]]), 1.0),
    "spike-into": (SQ * 2, np.array([[1, 1], [5, 0.9], [5, 1.1]]), None),
    "spike-through-vertex": (SQ * 2, np.array([[-1, -1], [3, 3], [3, 3.1]]), None),
    "sliver": (SQ, np.array([[-1, 0.5], [2, 0.5], [2, 0.5 + 1e-9]]), None),
    "thin-sliver-overlap": (SQ, np.array([[0, 1 - 1e-7], [1, 1 - 1e-7], [1, 2], [0, 2]]), 1e-7),
    "L-in-U": (GRID_SHAPES[1], GRID_SHAPES[0], None),
    "U-vs-bar": (GRID_SHAPES[1], np.array([[-1, 2], [4, 2], [4, 2.5], [-1, 2.5]]), None),
    "clockwise": (SQ[::-1] * 2, (SQ + [1, 1])[::-1], 1.0),
    "far-from-origin": (SQ + 1e6, SQ + [1e6 + 0.25, 1e6 + 0.5], 0.375),
    "diamond-in-square": (SQ * 2, np.array([[1, 0], [2, 1], [1, 2], [0, 1]]), 2.0),
    "repeated-vertex": (np.array([[0, 0], [1, 0], [1, 0], [1, 1], [0, 1]]), SQ + [0.5, 0.5], 0.25),
    # Found by fuzzing: a vertex of one polygon at the midpoint of an edge of the other, up to
    # rounding (integer grids scaled by 1e-3).
    "vertex-at-edge-midpoint": (np.array([[-8, 1], [-1, -5], [7, -10], [7, 0], [1, 2]]) * 1e-3,
                                np.array([[5, -9], [-3, -10], [-8, -7], [-9, -2], [-7, 4], [-1, 2], [6, -1]]) * 1e-3,
                                None),
    "vertex-at-edge-midpoint-2": (np.array([[-8, -1], [5, -8], [5, 6]]) * 1e-3,
                                  np.array([[-3, 6], [-7, 3], [-9, -5], [0, -6], [6, 0], [4, 8]]) * 1e-3, None),
    # Found by hypothesis: the first vertices differ by one ulp, so a vertex contact is seen from one edge only.
    "vertex-one-ulp-apart": (np.array([[0.0010442107510423152, 0.000623434366627534], [0.0014305527954173902, 0.00025421308061992175], [0.0019987485525297406, 5.001328643218758e-05], [0.0019075902570649804, -0.00041985702957164265], [0.0017807389697351112, -0.0006248573126218152], [0.0011700344681957857, -0.0009854381155736652], [0.0006926021175104696, -0.0009515810747597668], [4.2242228120857985e-05, -0.00028757616452881033], [0.00021926103026488863, 0.0006248573126218151]]), np.array([[0.0010442107510423156, 0.000623434366627534], [0.0014007618137326166, 0.0009161822791637828], [0.0015773512996752578, 0.0008164958522633725], [0.001915668644527376, 0.00040193399138340814], [0.001991811594443377, -0.0001277096751530054], [0.0013516772184748748, -0.000936121324405002], [0.0005171099299403119, -0.000875680980858754], [7.059252483861522e-06, -0.0001186114325100753], [0.000575899803212202, 0.00026483772972246813]]), None),
}


@pytest.mark.parametrize("name", HARD)
def test_hard_cases(name):
    a, b, expected = HARD[name]
    inter = check_pair(a, b)
    if expected is not None:
        assert_close(inter, expected, 1.0)


def test_closing_vertex_is_dropped():
    closed = np.vstack([SQ, SQ[:1]])
    assert gf.intersection_area(closed, SQ + 0.5) == gf.intersection_area(SQ, SQ + 0.5) == 0.25


# --- distance matrix ----------------------------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(polys=st.lists(st.one_of(star_polygons(15), any_grid), min_size=1, max_size=12), data=st.data())
def test_distance_matrix_matches_shapely(polys, data):
    groups = data.draw(st.one_of(st.none(), st.lists(st.integers(0, 3), min_size=len(polys), max_size=len(polys))))
    d = gf.iou_distance_matrix(polys, groups=groups)
    ref = ref_distance_matrix(polys, groups)
    assert d.shape == (len(polys), len(polys)) and d.dtype == np.float64
    assert np.array_equal(d, d.T) and np.all(np.diag(d) == 0)
    assert np.array_equal(np.isinf(d), np.isinf(ref))
    fin = np.isfinite(ref)
    assert np.all(np.abs(d[fin] - ref[fin]) <= 1e-9)
    assert np.array_equal(gf.iou_distance_matrix(polys, groups=groups, threads=2), d)


def test_distance_matrix_freehand_like():
    """The benchmark's workload (clusters of star-shaped 8-60-vertex outlines, most pairs
    overlapping) against shapely, pair by pair."""
    rng = np.random.default_rng(3)
    polys = []
    centres = rng.uniform(0, 200, (4, 2))
    while len(polys) < 70:  # 2415 pairs: enough for two threads
        k = int(rng.integers(8, 61))
        p = star(*(centres[len(polys) % 4] + rng.normal(0, 10, 2)), np.sort(rng.uniform(0, 2 * np.pi, k)),
                 50 * rng.uniform(0.7, 1.3, k))
        if shapely.Polygon(p).is_valid:
            polys.append(p if len(polys) % 2 else p[::-1])
    d = gf.iou_distance_matrix(polys)
    assert np.abs(d - ref_distance_matrix(polys)).max() <= 1e-9
    assert np.array_equal(gf.iou_distance_matrix(polys, threads=2), d)


def test_distance_matrix_conventions():
    polys = [SQ, SQ + [0.5, 0], SQ + [1, 0], SQ + [5, 5], SQ]
    d = gf.iou_distance_matrix(polys)
    assert d[0, 1] == pytest.approx(1 - 0.5 / 1.5, abs=1e-15)
    assert d[0, 2] == 1.0  # touching only
    assert d[0, 3] == 1.0  # far apart (pruned by the bounding boxes)
    assert d[0, 4] == 0.0  # identical
    g = gf.iou_distance_matrix(polys, groups=[0, 0, 1, 1, 0])
    assert math.isinf(g[0, 1]) and math.isinf(g[0, 4]) and g[0, 2] == 1.0 and g[1, 1] == 0.0
    assert gf.iou_distance_matrix([]).shape == (0, 0)
    assert gf.iou_distance_matrix([SQ]).tolist() == [[0.0]]


def test_threads_same_result():
    rng = np.random.default_rng(1)
    polys = [star(*rng.normal(0, 0.3, 2), np.sort(rng.uniform(0, 2 * np.pi, 20)), rng.uniform(0.5, 1.0, 20))
             for _ in range(60)]
    polys = [p for p in polys if shapely.Polygon(p).is_valid]
    d1 = gf.iou_distance_matrix(polys, threads=1)
    assert np.array_equal(gf.iou_distance_matrix(polys, threads=2), d1)
    assert np.array_equal(gf.iou_distance_matrix(polys, threads=7), d1)
    assert np.abs(d1 - ref_distance_matrix(polys)).max() <= 1e-9


# --- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, match", [
    ([[0, 0], [1, 1]], "polygon 1 has 2 vertices"),
    ([[0, 0], [1, 1], [0, 0]], "polygon 1 has 2 vertices"),  # the closing vertex is dropped
    ([[0, 0], [1, 0], [2, 0]], "polygon 1 has zero area"),
    ([[0, 0], [1, np.nan], [1, 1]], "polygon 1 has a non-finite coordinate nan at vertex 1"),
    ([[0, 0], [1, np.inf], [1, 1]], "polygon 1 has a non-finite coordinate inf at vertex 1"),
])
def test_bad_polygons_raise(bad, match):
    with pytest.raises(ValueError, match=match):
        gf.iou_distance_matrix([SQ, bad, SQ])
    with pytest.raises(ValueError, match=match.replace("polygon 1", "polygon b")):
        gf.intersection_area(SQ, bad)


def test_bad_polygon_raise_valid_triangle_after_closing():
    # A closed triangle (4 rows, the last repeating the first) is a valid triangle.
    assert gf.polygon_area([[0, 0], [1, 0], [1, 1], [0, 0]]) == 0.5


@pytest.mark.parametrize("call", [
    lambda: gf.polygon_area([[0, 0], [1, 0]]),
    lambda: gf.polygon_area(np.zeros((3, 3))),
    lambda: gf.polygon_area("abc"),
    lambda: gf.iou_distance_matrix([SQ, SQ], groups=[0]),
    lambda: gf.iou_distance_matrix([SQ, SQ], groups=[0.5, 1.5]),
    lambda: gf.iou_distance_matrix([SQ, SQ], threads=0),
    lambda: gf.intersection_area(SQ, [[0, 0], [1, 0], [1, 1], [2, np.nan]]),
])
def test_bad_arguments_raise(call):
    with pytest.raises(ValueError):
        call()


# --- panoptes_aggregation, when installed -----------------------------------------------------------

def test_matches_panoptes_distance_matrix():
    utils = pytest.importorskip("panoptes_aggregation.reducers.polygon_reducer_utils")
    rng = np.random.default_rng(7)
    polys = []
    while len(polys) < 25:
        n = int(rng.integers(8, 40))
        p = star(*rng.normal(0, 20, 2), np.sort(rng.uniform(0, 2 * np.pi, n)), 50 * rng.uniform(0.7, 1.3, n))
        if shapely.Polygon(p).is_valid:
            polys.append(p)
    polys += [SQ * 10, SQ * 10 + [10, 0], SQ * 10]  # touching and identical
    users = rng.integers(0, 8, len(polys))
    X = np.column_stack([np.arange(len(polys)), users]).astype(float)
    data = [{"polygon": shapely.Polygon(p), "gold_standard": False} for p in polys]
    ref = utils.IoU_distance_matrix_of_cluster(np.ones(len(polys), bool), X, data)
    got = gf.iou_distance_matrix(polys, groups=users)
    assert np.array_equal(np.isinf(got), np.isinf(ref))
    fin = np.isfinite(ref)
    assert np.abs(got[fin] - ref[fin]).max() <= 1e-9


def test_nearly_collinear_shared_edges_are_counted_once():
    """Edges on one line up to an ulp (as sin/cos-built vertices give): found by hypothesis, 2x error."""
    x = 0.75
    x_next = np.nextafter(x, 1.0)
    a = np.array([[2.0, -2.44929360e-16], [x, -0.4330127018922193], [x, 0.4330127018922193]])
    b = np.array([[2.0, 0.25], [x_next, -0.18301270189221935], [x, 0.6830127018922193]])
    for p, q in [(a, b), (b, a), (a[::-1], b), (a, b[::-1])]:
        expected = shapely.Polygon(p).intersection(shapely.Polygon(q)).area
        assert gf.intersection_area(p, q) == pytest.approx(expected, rel=1e-9)


# --- ring simplicity against GEOS --------------------------------------------------------------

def geos_simple(rings):
    index = np.repeat(np.arange(len(rings)), [len(r) for r in rings])
    return shapely.is_simple(shapely.polygons(shapely.linearrings(np.concatenate(rings), indices=index)))


def grid_ring(rng, scale):
    """3-9 vertices on a 5x5 grid (touching, collinear, repeated vertices, spikes), times `scale`."""
    return rng.integers(0, 5, (int(rng.integers(3, 10)), 2)).astype(float) * scale


def check_simplicity(rings, min_decided):
    got, expected = gf.polygons.ring_simplicity(rings), geos_simple(rings)
    decided = got >= 0
    assert np.array_equal(got[decided] == 1, expected[decided])
    assert decided.mean() >= min_decided
    return got


@pytest.mark.parametrize("scale", [1.0, 0.1, 1e-3 / 3, 2.0**40])
def test_ring_simplicity_on_grids_matches_shapely(scale):
    """Exact collinearity, touching and repeated vertices: decided where GEOS's answer is certain."""
    rng = np.random.default_rng(int(scale * 1000) % 2**32)
    rings = [grid_ring(rng, scale) for _ in range(3000)]
    got = check_simplicity(rings, min_decided=0.9)
    assert (got == 0).sum() > 500 and (got == 1).sum() > 100


def test_ring_simplicity_on_freehand_rings_matches_shapely():
    """Noisy outlines of ~300 vertices with 2-decimal coordinates (as Zooniverse drawings), some
    crossing themselves: all decided."""
    rng = np.random.default_rng(3)
    rings = []
    for _ in range(150):
        n = int(rng.integers(50, 400))
        t = np.sort(rng.uniform(0, 2 * np.pi, n)) if rng.random() < 0.5 else rng.uniform(0, 2 * np.pi, n)
        r = 100 * rng.uniform(0.8, 1.2, n)
        rings.append(np.round(np.column_stack([300 + r * np.cos(t), 200 + r * np.sin(t)]), 2))
    got = check_simplicity(rings, min_decided=1.0)
    assert (got == 0).sum() > 30 and (got == 1).sum() > 30


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=3, max_size=8),
       st.sampled_from([1.0, 0.1, 0.7, 1e-5, 1e-300]), st.floats(-1e3, 1e3) | st.just(0.0))
def test_ring_simplicity_matches_shapely(vertices, scale, shift):
    ring = np.array(vertices, dtype=float) * scale + shift
    got = gf.polygons.ring_simplicity([ring])[0]
    assert got == -1 or bool(got) == geos_simple([ring])[0]


def test_ring_simplicity_checks_arguments():
    from galforge import _core

    assert list(gf.polygons.ring_simplicity([])) == []
    assert list(gf.polygons.ring_simplicity([[[0, 0], [1, np.nan], [0, 1]]])) == [-1]
    with pytest.raises(gf.GalforgeValueError, match=r"polygons\[1\] must be an \(n, 2\) array"):
        gf.polygons.ring_simplicity([SQ, np.zeros((4, 3))])
    with pytest.raises(ValueError, match=r"offsets must not decrease: offsets\[2\] = 1 < 4"):
        _core.rings_simplicity(np.zeros((4, 2)), np.array([0, 4, 1, 4], dtype=np.int64))
    with pytest.raises(ValueError, match=r"offsets\[0\] = 1 must be 0"):
        _core.rings_simplicity(np.zeros((4, 2)), np.array([1, 4], dtype=np.int64))
    with pytest.raises(ValueError, match=r"offsets\[-1\] = 3 must equal the number of vertices 4"):
        _core.rings_simplicity(np.zeros((4, 2)), np.array([0, 3], dtype=np.int64))
