"""Polygon reducers of galforge.zooniverse against panoptes_aggregation 5.3.1 (the reference)."""
import json

import numpy as np
import pytest

import galforge.zooniverse as gz
from galforge.errors import GalforgeValueError
from galforge.zooniverse.cluster import dbscan_labels
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zooniverse_reference import (assert_same, cat_extracts, freehand, pa, polygon_classification, ref_by_task,
                                  reference, junk_strategy, no_crash)

shapely = pytest.importorskip("shapely")

AVERAGES = ["median", "union", "intersection", "last"]
KINDS = ["closed", "open", "overshoot", "figure8", "holed"]


def subject(seed, n_users=None, objects=2, frames=1, kinds=KINDS):
    """Extracts of volunteers drawing the same objects (noisy freehand outlines of every kind, some
    users drawing twice, some nothing, outliers), with created_at times."""
    rng = np.random.default_rng(seed)
    n_users = n_users or int(rng.integers(3, 9))
    centres = [(100 + 150 * k, 100 + 40 * k) for k in range(objects)]
    extracts, times = [], []
    kind = kinds[seed % len(kinds)]
    for u in range(n_users):
        marks = []
        for k, c in enumerate(centres):
            if rng.uniform() < 0.85:
                frame = int(rng.integers(0, frames))
                marks.append((k % 2, frame, freehand(rng, np.array(c) + rng.normal(0, 3, 2), 40, kind)))
                if rng.uniform() < 0.15:  # the same user draws it twice
                    marks.append((k % 2, frame, freehand(rng, np.array(c) + rng.normal(0, 3, 2), 40, "open")))
        if rng.uniform() < 0.2:
            marks.append((0, 0, freehand(rng, rng.uniform(0, 400, 2), 20, "open")))
        c = polygon_classification(marks, version="2.0" if seed % 2 else "1.0")
        extracts.append(reference(pa.extractors.polygon_extractor,
                                  ref_by_task(c), task="T0"))
        times.append(f"2025-01-{10 + u:02d} 12:{int(rng.integers(0, 60)):02d}:00 UTC")
    return extracts, times


def check(reducer, extracts, times, **kwargs):
    ref = reference(getattr(pa.reducers, reducer), extracts, user_id=list(range(len(extracts))), created_at=times,
                    **kwargs)
    ours = getattr(gz, reducer)(extracts, user_id=list(range(len(extracts))), created_at=times, **kwargs)
    if reducer == "polygon_reducer_contours":  # the reference lists frames and tools in set order
        def key(item):
            return json.dumps(sorted((k, sorted(v.items())) for k, v in item.items() if k.startswith("frame")))
        ref, ours = sorted(ref, key=key), sorted(ours, key=key)
    assert_same(json.loads(json.dumps(ref)), json.loads(json.dumps(ours)))
    return ours


def clusters(out):
    return sum(len(v) for f in out.values() if isinstance(f, dict) for k, v in f.items() if k.endswith("clusters_count"))


@pytest.mark.parametrize("average_type", AVERAGES)
def test_polygon_reducer_matches_reference(average_type):
    found = 0
    for seed in range(10):
        extracts, times = subject(seed, frames=1 + seed % 2)
        kwargs = dict(average_type=average_type, eps=0.5, min_samples=2)
        try:
            out = check("polygon_reducer", extracts, times, **kwargs)
        except AttributeError:  # the reference fails on an intersection in pieces (see the test below)
            assert average_type == "intersection"
            out = gz.polygon_reducer(extracts, created_at=times, **kwargs)
        found += clusters(out)
    assert found >= 10


def test_polygon_reducer_options_match_reference():
    extracts, times = subject(3, n_users=6)
    for kwargs in ({"eps": 0.3, "min_samples": 3}, {"min_threshold": 0.6}, {"collab": True, "step_key": "S2",
                                                                              "tool_type": "polygon"},
                   {"min_samples": 1, "eps": 0.9}, {"min_samples": 0}):
        check("polygon_reducer", extracts, times, **kwargs)


def test_holes_in_agreement():
    """Drawings repaired into polygons with holes: IoU by the signed sum over their rings, union fills holes."""
    extracts, times = subject(4, n_users=5, objects=1, kinds=["holed"])
    polys = [shapely.Polygon(np.column_stack(xy)).buffer(0) for e in extracts
             for f in e.values() if isinstance(f, dict) for xy in zip(f.get("T0_tool0_pathX", []),
                                                                      f.get("T0_tool0_pathY", []))]
    assert any(len(p.interiors) for p in polys)
    for average_type in AVERAGES:
        out = check("polygon_reducer", extracts, times, average_type=average_type)
        assert clusters(out) == 1


def test_contours_match_reference():
    compared = 0
    for seed in range(6):
        extracts, times = subject(seed, n_users=3 + seed % 3)
        try:
            check("polygon_reducer_contours", extracts, times)
            compared += 1
        except IndexError:  # the reference loses track of the drawings when an intersection falls apart
            out = gz.polygon_reducer_contours(extracts, created_at=times)
            assert any("T0_tool0_number_of_contours" in item["frame0"] for item in out)
    assert compared >= 3


def test_contours_rasterised_for_large_clusters():
    from zooniverse_reference import star

    rng = np.random.default_rng(5)
    extracts = [{"frame0": {"T0_tool0_pathX": [x], "T0_tool0_pathY": [y]}}
                for x, y in (star(rng, (50 + rng.normal(0, 3), 50 + rng.normal(0, 3)), 30, 12) for _ in range(12))]
    out = check("polygon_reducer_contours", extracts, ["2025-01-01 00:00:00 UTC"] * 12)
    assert out[0]["frame0"]["T0_tool0_number_of_contours"] >= 8


def test_empty_subjects():
    for extracts in ([], [{"frame0": {}}], [{"frame0": {"gold_standard": False}}, {}]):
        check("polygon_reducer", extracts, ["2025-01-01 00:00:00 UTC"] * len(extracts))
        check("polygon_reducer_contours", extracts, ["2025-01-01 00:00:00 UTC"] * len(extracts))


def test_duplicate_users():
    """Two classifications by one volunteer count as two (as the reference): identical drawings at 0."""
    extracts, times = subject(8, n_users=4, objects=1)
    extracts = extracts + extracts[:1]
    out = check("polygon_reducer", extracts, times + times[:1], average_type="median")
    assert clusters(out) >= 1


def test_worked_example_of_the_spec():
    square = ([0, 10, 10, 0], [0, 0, 10, 10])
    extracts = [{"frame0": {"T0_tool0_pathX": [[x + dx for x in square[0]]], "T0_tool0_pathY": [[y + dy for y in square[1]]]}}
                for dx, dy in ((0, 0), (1, 0), (0, 1))]
    out = check("polygon_reducer", extracts, ["2025-01-01 00:00:00 UTC"] * 3)
    assert out["frame0"]["T0_tool0_consensus"] == [pytest.approx(0.7723453017570665, rel=1e-12)]
    assert out["frame0"]["T0_tool0_clusters_x"] == [[0.0, 10.0, 10.0, 0.0, 0.0]]
    assert out["threshold"] == [1.0]


@pytest.mark.parametrize("average_type", AVERAGES)
def test_cat_project_identical(average_type):
    for extracts, times in cat_extracts().values():
        check("polygon_reducer", extracts, times, average_type=average_type, eps=0.5, min_samples=2)


def test_bad_drawings_are_skipped():
    """1-2 point drawings (the reference raises), NaN coordinates and zero-area drawings (the reference
    keeps them at distance 1): skipped, counted, and the rest reduced as the reference reduces it."""
    extracts, times = subject(2, n_users=5, objects=1, kinds=["open"])
    bad = [{"frame0": {"T0_tool0_pathX": [[1, 2], [5.0, 6, 7], [0, 1, 2], [1]],
                       "T0_tool0_pathY": [[1, 2], [5.0, float("nan"), 7], [0, 1, 2], [3]]}}]
    with pytest.warns(gz.SkippedDataWarning) as record:
        ours = gz.polygon_reducer(extracts + bad, created_at=times + times[:1])
    message = str(record[0].message)
    assert "2 drawings with fewer than 3 points" in message and "1 drawings with non-finite coordinates" in message
    assert "1 drawings with no area" in message
    with pytest.raises(ValueError):
        reference(pa.reducers.polygon_reducer, extracts + bad, created_at=times + times[:1])
    ref = reference(pa.reducers.polygon_reducer, extracts + [{"frame0": {}}], created_at=times + times[:1])
    assert_same(json.loads(json.dumps(ref)), json.loads(json.dumps(ours)))


def test_multipolygon_intersection_keeps_largest_piece():
    """Two U shapes crossing a bar: their intersection has two pieces; the reference raises."""
    u = ([0, 30, 30, 20, 20, 10, 10, 0], [0, 0, 30, 30, 10, 10, 30, 30])
    bar = ([-5, 35, 35, -5], [18, 18, 32, 32])
    u2 = ([x + 0.5 for x in u[0]], u[1])
    extracts = [{"frame0": {"T0_tool0_pathX": [xs], "T0_tool0_pathY": [ys]}} for xs, ys in (u, u2, bar)]
    times = ["2025-01-01 00:00:00 UTC"] * 3
    with pytest.raises(AttributeError):
        reference(pa.reducers.polygon_reducer, extracts, created_at=times, average_type="intersection", eps=0.9)
    out = gz.polygon_reducer(extracts, created_at=times, average_type="intersection", eps=0.9)
    polys = [shapely.Polygon(np.column_stack(p)) for p in (u, u2, bar)]
    pieces = polys[0].intersection(polys[1]).intersection(polys[2])
    largest = max(pieces.geoms, key=lambda p: p.area)
    got = shapely.Polygon(np.column_stack([out["frame0"]["T0_tool0_clusters_x"][0],
                                           out["frame0"]["T0_tool0_clusters_y"][0]]))
    assert got.symmetric_difference(largest).area == pytest.approx(0, abs=1e-9)
    assert got.area == pytest.approx(largest.area) and largest.area < pieces.area


def test_dbscan_labels_equal_scikit_learn():
    from sklearn.cluster import DBSCAN

    rng = np.random.default_rng(0)
    for n in (1, 2, 5, 30):
        for min_samples in (1, 2, 4):
            d = rng.uniform(0, 1, (n, n))
            d = (d + d.T) / 2
            d[rng.uniform(0, 1, (n, n)) < 0.1] = np.inf
            d = np.minimum(d, d.T)
            np.fill_diagonal(d, 0)
            finite = np.where(np.isinf(d), 9.0, d)
            expected = DBSCAN(eps=0.4, min_samples=min_samples, metric="precomputed").fit(finite).labels_
            assert dbscan_labels(d, 0.4, min_samples).tolist() == expected.tolist()


def test_bad_arguments_raise():
    with pytest.raises(GalforgeValueError, match="average_type = 'mean'"):
        gz.polygon_reducer([], average_type="mean")
    with pytest.raises(GalforgeValueError, match="unknown keyword"):
        gz.polygon_reducer([], averagetype="median")
    with pytest.raises(GalforgeValueError, match="eps = -1.0"):
        gz.polygon_reducer_contours([], eps=-1)
    with pytest.raises(GalforgeValueError, match="created_at"):
        gz.polygon_reducer([{"frame0": {}}], average_type="last")
    extracts = [{"frame0": {"T0_tool0_pathX": [[0, 1, 1]], "T0_tool0_pathY": [[0, 0, 1]]}}] * 2
    with pytest.raises(GalforgeValueError, match="created_at value 'yesterday'"):
        gz.polygon_reducer(extracts, average_type="last", created_at=["yesterday"] * 2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extracts=st.lists(junk_strategy(), max_size=3))
def test_junk_never_crashes_a_reducer(extracts):
    extracts = [e if isinstance(e, dict) else {"frame0": {"T0_tool0_pathX": e, "T0_tool0_pathY": e}}
                for e in extracts]
    times = ["2025-01-01 00:00:00 UTC"] * len(extracts)
    for reducer in (gz.polygon_reducer, gz.polygon_reducer_contours):
        no_crash(reducer, extracts, created_at=times, min_samples=1)
    no_crash(gz.shape_reducer_dbscan, extracts, shape="point", min_samples=1)


def test_iou_distances_with_holes_match_shapely():
    """Signed ring sums for polygons with holes against shapely's overlay areas."""
    from galforge.polygons import pack
    from galforge.zooniverse.polygon_reduce import Drawings, iou_distances

    rng = np.random.default_rng(3)
    polys = []
    for k in range(6):
        c = rng.uniform(0, 20, 2)
        outer = shapely.Point(*c).buffer(10 + k, quad_segs=6)
        polys.append(outer.difference(shapely.Point(*(c + rng.uniform(-3, 3, 2))).buffer(3 + k % 3, quad_segs=5))
                     if k % 2 == 0 else outer)
    assert sum(len(p.interiors) for p in polys) == 3
    xy, offsets = pack([np.asarray(p.exterior.coords)[:-1] for p in polys])
    holed = [k for k, p in enumerate(polys) if len(p.interiors)]
    d = iou_distances(Drawings(xy, offsets, np.arange(6), dict(enumerate(polys)), holed))
    for i in range(6):
        for j in range(6):
            if i != j:
                inter = polys[i].intersection(polys[j]).area
                assert abs(d[i, j] - (1 - inter / polys[i].union(polys[j]).area)) < 1e-9


@pytest.mark.parametrize("text", ["2025-01-30 09:48:51 UTC", "2024-02-29 23:59:59 UTC", "2025-02-29 09:48:51 UTC",
                                  "2025-01-30 24:00:00 UTC", "2025-1-30 9:48:51 UTC", "2025-01-30T09:48:51.250Z"])
def test_export_times_read_as_strptime(text):
    from datetime import datetime

    from galforge.zooniverse.polygon_reduce import _timestamp

    fmt = "%Y-%m-%d %H:%M:%S UTC" if "UTC" in text else "%Y-%m-%dT%H:%M:%S.%fZ"
    try:
        expected = datetime.strptime(text, fmt)
    except ValueError:
        with pytest.raises(GalforgeValueError, match="created_at"):
            _timestamp(text)
    else:
        assert _timestamp(text) == expected


def _drawing_reference(x, y):
    """polygon_reducer's checks of one drawing, in numpy: (status, vertices without the closing one)."""
    try:
        xy = np.array([x, y], dtype=float)
    except (TypeError, ValueError):
        return 1, None
    if xy.ndim != 2:
        return 1, None
    if xy.size and not np.isfinite(xy).all():
        return 2, None
    if xy.size and np.abs(xy).max() > 1e100:
        return 3, None
    k = xy.shape[1]
    closed = k > 1 and xy[0, 0] == xy[0, -1] and xy[1, 0] == xy[1, -1]
    if (k - 1 if closed else k) < 3:
        return 4, None
    return 0, np.ascontiguousarray(xy.T[:-1] if closed else xy.T)


COORDINATE = st.one_of(st.floats(-1e3, 1e3), st.integers(-1000, 1000), st.floats(), st.sampled_from(
    [1e101, -1e300, 1e-300, 5e-324, 0.0, -0.0, True, 2**1100]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.lists(st.tuples(COORDINATE, COORDINATE), max_size=8).map(lambda p: ([a for a, _ in p],
                                                                                             [b for _, b in p])),
                          st.tuples(st.lists(COORDINATE, max_size=4), st.lists(COORDINATE, max_size=4)),
                          st.tuples(st.just([[1.0, 2.0], [3.0, 4.0]]), st.just([[1.0, 2.0], [3.0, 4.0]]))),
                max_size=6))
def test_pack_drawings_as_numpy_and_geos(drawings):
    """The core's checks and packing against numpy's reading; an area it calls certain is positive for GEOS."""
    from galforge.zooniverse.polygon_reduce import pack_drawings

    xs, ys = [list(x) for x, _ in drawings], [list(y) for _, y in drawings]
    for x, y in drawings:  # the same drawings as float64 arrays (y strided), as the CSV path gives them
        try:
            ax, ay = np.array(x, dtype=float), np.array(y, dtype=float)
        except (TypeError, ValueError, OverflowError):
            continue
        if ax.ndim == ay.ndim == 1:
            xs.append(ax)
            ys.append(np.repeat(ay, 2)[::2])
    try:
        expected = [_drawing_reference(x, y) for x, y in zip(xs, ys)]
    except OverflowError:  # ints beyond double's range: numpy raises (not the core's concern)
        return
    xy, offsets, status = pack_drawings(xs, ys)
    for k, (code, vertices) in enumerate(expected):
        got = xy[offsets[k]:offsets[k + 1]]
        if code:
            assert status[k] == code and len(got) == 0
        else:
            assert status[k] in (0, 5) and got.tobytes() == vertices.tobytes()
            if status[k] == 0:
                assert shapely.Polygon(vertices).area > 0


def test_pack_drawings_checks_arguments():
    from galforge import _core

    with pytest.raises(ValueError, match="xs must be a list"):
        _core.pack_drawings((1, 2), [], 1e100)
    with pytest.raises(ValueError, match="same length"):
        _core.pack_drawings([[1.0, 2.0, 3.0]], [], 1e100)
    with pytest.raises(ValueError, match="limit must be positive"):
        _core.pack_drawings([], [], float("nan"))
    tiny = [0.0, 1e-120, 0.0], [0.0, 0.0, 1e-120]  # area 5e-241: below what the core calls certain
    assert _core.pack_drawings([tiny[0]], [tiny[1]], 1e100)[2][0] == 5
    flat = [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]  # collinear: no area
    assert _core.pack_drawings([flat[0]], [flat[1]], 1e100)[2][0] == 5


def test_polygon_reducer_many_is_one_call_each():
    """Subjects reduced together (drawings packed and repaired in one pass) give each subject's own
    reduction and skip counts, hostile drawings included; the reference checks each call above."""
    from galforge.zooniverse.polygon_reduce import polygon_reducer_many
    from galforge.zooniverse.skipped import collecting

    calls = []
    for seed in range(12):
        extracts, times = subject(seed, frames=1 + seed % 2)
        calls.append((extracts, dict(created_at=times, average_type=AVERAGES[seed % 4], eps=0.5, min_samples=2)))
    square = [0.0, 10.0, 10.0, 0.0]
    calls.append(([{"frame0": {"T0_tool0_pathX": [square, [1.0, float("nan"), 2.0], [1.0, 2.0], "x", [0.0] * 4],
                               "T0_tool0_pathY": [[0.0, 0.0, 10.0, 10.0], [1.0, 2.0, 3.0], [1.0, 2.0], "y",
                                                  [0.0, 1.0, 2.0, 3.0]]}},
                   {"frame0": {"T0_tool0_pathX": [[1.0, 11.0, 11.0, 1.0]], "T0_tool0_pathY": [[0.0, 0.0, 10, 10.0]]}},
                   {}, {"frame1": {"T0_tool0_pathX": [], "T0_tool0_pathY": []}}], {"eps": 0.5, "min_samples": 2}))
    calls.append(([], {}))
    with collecting() as together:
        many = list(polygon_reducer_many(calls))
    with collecting() as alone:
        one = [gz.polygon_reducer(extracts, **kwargs) for extracts, kwargs in calls]
    assert json.dumps(many) == json.dumps(one)
    assert together == alone and alone[("polygon_reducer", "drawings with non-finite coordinates")] == 1
    assert sum(clusters(out) for out in many) >= 12
