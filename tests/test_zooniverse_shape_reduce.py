"""Shape reducers (DBSCAN, HDBSCAN, angle and IoU metrics, details) against panoptes_aggregation 5.3.1."""
import numpy as np
import pytest

import galforge.zooniverse as gz
from galforge.errors import GalforgeValueError
from zooniverse_reference import assert_same, pa, ref_by_task, reference


CENTRES = {
    "ellipse": [(100, 100, 30, 12, 179), (300, 200, 20, 25, 1), (50, 400, 10, 10, 90)],
    "rotateRectangle": [(100, 100, 30, 12, 179), (300, 200, 20, 40, -89)],
    "rectangle": [(100, 100, 30, 12), (300, 200, 20, 40)],
    "circle": [(100, 100, 30), (300, 200, 20)],
    "point": [(10, 10), (50, 50), (52, 48)],
    "line": [(10, 10, 50, 60), (200, 10, 150, 90)],
    "triangle": [(100, 100, 30, 119), (300, 300, 20, 2)],
    "fullWidthLine": [(10,), (50,)],
    "fan": [(100, 100, 30, 40, 350), (300, 200, 20, 10, 5)],
    "temporalRotateRectangle": [(100, 100, 30, 12, 20, 3), (300, 200, 20, 40, -80, 6)],
}


def volunteers(shape, seed, v2=False, details=False):
    """Extracts (by the reference's extractor) of 4-11 volunteers drawing each object of CENTRES[shape]
    with noise, angles sometimes shifted by 360 (wrap-around), plus outliers; sliders as details."""
    rng = np.random.default_rng(seed)
    params = gz.SHAPE_LUT[shape]
    extracts = []
    for _ in range(int(rng.integers(4, 12))):
        marks = []
        for c in CENTRES[shape]:
            if rng.uniform() < 0.85:
                m = dict(zip(params, np.round(np.array(c) + rng.normal(0, 1.5, len(c)), 2).tolist()))
                if "angle" in m and rng.uniform() < 0.3:
                    m["angle"] = round(m["angle"] - 360 * int(rng.integers(-1, 2)), 2)
                marks.append(m)
        if rng.uniform() < 0.3:
            marks.append(dict(zip(params, np.round(rng.uniform(0, 500, len(params)), 1).tolist())))
        if v2:
            value = [{"toolIndex": 0, "frame": 0, "details": [{"task": "T0.0.0"}] if details else [], **m} for m in marks]
            anns = [{"task": "T0", "taskType": "drawing", "value": value}]
            if details:
                anns += [{"task": "T0.0.0", "taskType": "slider", "markIndex": i, "value": float(rng.uniform())}
                         for i in range(len(value))]
            c = {"annotations": anns, "metadata": {"classifier_version": "2.0"}}
        else:
            value = [{"tool": 0, "frame": 0, "details": [{"value": float(rng.uniform())}, {"value": int(rng.integers(2))}],
                      **m} for m in marks]
            c = {"annotations": [{"task": "T0", "value": value}]}
        kw = {"task": "T0", "shape": shape}
        if details:
            kw["details"] = ({"T0_toolIndex0_subtask0": "slider_extractor"} if v2
                             else {"T0_tool0": ["slider_extractor", "question_extractor"]})
        extracts.append(reference(pa.extractors.shape_extractor, ref_by_task(c), **kw))
    reduce_details = ({"T0_toolIndex0_subtask0": "slider_reducer"} if v2
                      else {"T0_tool0": ["slider_reducer", "question_reducer"]}) if details else None
    return extracts, reduce_details


def check(reducer, extracts, **kwargs):
    uid = list(range(100, 100 + len(extracts)))
    ref = reference(getattr(pa.reducers, reducer), extracts, user_id=uid, **kwargs)
    ours = getattr(gz, reducer)(extracts, user_id=uid, **kwargs)
    assert_same(ref, ours)
    return ours


def n_clusters(out):
    return sum(len(v) for f in out.values() if isinstance(f, dict) for k, v in f.items() if k.endswith("clusters_count"))


@pytest.mark.parametrize("shape", list(CENTRES))
@pytest.mark.parametrize("symmetric", [False, True])
def test_dbscan_matches_reference(shape, symmetric):
    found = 0
    for seed in range(4):
        extracts, details = volunteers(shape, seed, v2=seed % 2 == 1, details=seed < 2)
        kw = {"shape": shape, "eps": 5, "min_samples": 3, "symmetric": symmetric}
        if details:
            kw["details"] = details
        found += n_clusters(check("shape_reducer_dbscan", extracts, **kw))
    assert found >= 4


@pytest.mark.parametrize("shape", ["ellipse", "point", "rotateRectangle", "line"])
@pytest.mark.parametrize("symmetric", [False, True])
def test_hdbscan_matches_reference(shape, symmetric):
    """sklearn HDBSCAN on the precomputed angle matrix = the reference's callable metric."""
    found = 0
    for seed in range(3):
        extracts, _ = volunteers(shape, 10 + seed)
        out = check("shape_reducer_hdbscan", extracts, shape=shape, min_cluster_size=3, min_samples=2,
                    symmetric=symmetric)
        found += n_clusters(out)
    assert found >= 3


@pytest.mark.parametrize("shape", ["ellipse", "rectangle", "rotateRectangle", "circle", "triangle",
                                   "temporalRotateRectangle"])
def test_iou_metric_matches_reference(shape):
    found = 0
    for seed in range(3):
        extracts, _ = volunteers(shape, 20 + seed)
        found += n_clusters(check("shape_reducer_dbscan", extracts, shape=shape, eps=0.5, min_samples=3,
                                  metric_type="IoU", estimate_average=True, eps_t=2.0))
        check("shape_reducer_hdbscan", extracts, shape=shape, min_cluster_size=3, min_samples=2, metric_type="IoU",
              estimate_average=True)
    assert found >= 3


@pytest.mark.parametrize("shape", ["rectangle", "rotateRectangle", "circle", "ellipse", "triangle",
                                   "temporalRotateRectangle"])
def test_iou_direct_average_same_problem_as_reference(shape):
    """estimate_average=False minimises by DIRECT (seconds per cluster, in both codes): the search box
    and the cost must be the reference's, then scipy's deterministic DIRECT gives its answer."""
    from galforge.zooniverse.shape_reduce import iou_bounds, iou_cost

    ref = pa.reducers.shape_metric_IoU

    rng = np.random.default_rng(7)
    base = {"rectangle": [10, 20, 30, 12], "rotateRectangle": [10, 20, 30, 12, 40], "circle": [10, 20, 8],
            "ellipse": [10, 20, 15, 6, 170], "triangle": [10, 20, 9, 100],
            "temporalRotateRectangle": [10, 20, 30, 12, 40, 0.4]}[shape]
    loc = np.array(base) + rng.normal(0, 1, (4, len(base))) * np.r_[np.ones(len(base) - 1), 0.1]
    ref_bounds = ref.average_bounds([tuple(r) for r in loc], shape)
    assert_same([list(b) for b in ref_bounds], [list(b) for b in iou_bounds(loc, shape)])
    cost = iou_cost(loc, shape, 0.5)
    for _ in range(20):
        x = [rng.uniform(lo, hi) for lo, hi in ref_bounds]
        expected = sum(ref.IoU_metric(tuple(x), tuple(r), shape, eps_t=0.5) ** 2 for r in loc)
        assert cost(np.array(x)) == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_worked_example_of_the_spec():
    """reference/panoptes.md §2.6: angles 179 and -179 average to 180; symmetric: 0.333."""
    extracts = [
        {"frame0": {"T0_tool0_x": [10, 200], "T0_tool0_y": [20, 200], "T0_tool0_rx": [5, 9], "T0_tool0_ry": [3, 4],
                    "T0_tool0_angle": [179, 0], "T0_tool0_details": [[{"slider_value": 0.7}], [{"slider_value": 0.1}]]}},
        {"frame0": {"T0_tool0_x": [11], "T0_tool0_y": [21], "T0_tool0_rx": [5], "T0_tool0_ry": [3],
                    "T0_tool0_angle": [-179], "T0_tool0_details": [[{"slider_value": 0.2}]]}},
        {"frame0": {"T0_tool0_x": [12], "T0_tool0_y": [19], "T0_tool0_rx": [5], "T0_tool0_ry": [3],
                    "T0_tool0_angle": [1], "T0_tool0_details": [[{"slider_value": 0.4}]]}}]
    kw = dict(shape="ellipse", eps=5, min_samples=2, details={"T0_tool0": ["slider_reducer"]})
    out = check("shape_reducer_dbscan", extracts, **kw)["frame0"]
    assert out["T0_tool0_cluster_labels"] == [0, -1, 0, -1]
    assert out["T0_tool0_clusters_angle"] == [180.0]
    assert out["T0_tool0_clusters_details"][0][0]["slider_mean"] == pytest.approx(0.45)
    out = check("shape_reducer_dbscan", extracts, symmetric=True, **kw)["frame0"]
    assert out["T0_tool0_cluster_labels"] == [0, -1, 0, 0]
    assert out["T0_tool0_clusters_angle"] == [0.333]


def test_empty_and_small_inputs():
    assert check("shape_reducer_dbscan", [], shape="point") == {"aggregation_version": "5.3.1"}
    extracts = [{"frame0": {"T0_tool0_x": [1.0], "T0_tool0_y": [2.0]}}, {"frame1": {}}]
    out = check("shape_reducer_dbscan", extracts, shape="point")
    assert out["frame0"]["T0_tool0_cluster_labels"] == [-1]


def test_non_finite_marks_are_skipped():
    extracts = [{"frame0": {"T0_tool0_x": [1.0, float("nan"), 1.5], "T0_tool0_y": [2.0, 2.0, None]}},
                {"frame0": {"T0_tool0_x": [1.2], "T0_tool0_y": [2.1]}}]
    with pytest.warns(gz.SkippedDataWarning, match="2 marks with a non-finite parameter"):
        out = gz.shape_reducer_dbscan(extracts, user_id=[1, 2], shape="point", eps=1, min_samples=2)
    clean = [{"frame0": {"T0_tool0_x": [1.0], "T0_tool0_y": [2.0]}}, extracts[1]]
    assert_same(reference(pa.reducers.shape_reducer_dbscan, clean, user_id=[1, 2], shape="point", eps=1,
                          min_samples=2), out)
    assert out["frame0"]["T0_tool0_clusters_count"] == [2]


def test_bad_arguments_raise():
    with pytest.raises(GalforgeValueError, match="shape = 'blob'"):
        gz.shape_reducer_dbscan([], shape="blob")
    with pytest.raises(GalforgeValueError, match="metric_type = 'manhattan'"):
        gz.shape_reducer_dbscan([], shape="point", metric_type="manhattan")
    with pytest.raises(GalforgeValueError, match="needs a shape among"):
        gz.shape_reducer_dbscan([], shape="point", metric_type="IoU")
    with pytest.raises(GalforgeValueError, match="unknown keyword"):
        gz.shape_reducer_hdbscan([], shape="point", epsilon=3)
    with pytest.raises(GalforgeValueError, match="min_samples = 0 are invalid"):
        gz.shape_reducer_dbscan([{"frame0": {"T0_tool0_x": [1], "T0_tool0_y": [2]}}], shape="point", min_samples=0)


def test_many_marks_use_a_tree_search(monkeypatch):
    """Beyond BRUTE_FORCE_LIMIT marks the Euclidean clustering is scikit-learn's own: same output."""
    import galforge.zooniverse.shape_reduce as sr

    extracts, _ = volunteers("point", 3)
    expected = gz.shape_reducer_dbscan(extracts, shape="point", eps=5, min_samples=3)
    monkeypatch.setattr(sr, "BRUTE_FORCE_LIMIT", 2)
    assert_same(expected, gz.shape_reducer_dbscan(extracts, shape="point", eps=5, min_samples=3))
    assert n_clusters(expected) >= 2
