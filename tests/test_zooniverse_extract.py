"""Extractors of galforge.zooniverse against panoptes_aggregation 5.3.1 (the reference)."""
import json
import warnings

import numpy as np
import pytest

import galforge.zooniverse as gz
from galforge.errors import GalforgeValueError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zooniverse_reference import (assert_same, cat_extracts, freehand, pa, polygon_classification, ref_by_task,
                                  reference, junk_strategy, no_crash)



def ref_extract(name, classification, **kwargs):
    return reference(getattr(pa.extractors, name), ref_by_task(classification), **kwargs)


def shape_marks(rng, shape, n, v2):
    params = gz.SHAPE_LUT[shape]
    marks = []
    for i in range(n):
        m = {p: float(np.round(rng.uniform(-200, 400), 2)) for p in params}
        if i % 3 == 0:
            m = {p: int(v) for p, v in m.items()}  # integers stay integers
        m["frame"] = int(rng.integers(0, 2))
        m["toolIndex" if v2 else "tool"] = int(rng.integers(0, 3))
        marks.append(m)
    return marks


@pytest.mark.parametrize("shape", list(gz.SHAPE_LUT))
@pytest.mark.parametrize("v2", [False, True])
def test_shape_extractor_matches_reference(shape, v2):
    rng = np.random.default_rng(len(shape) + 10 * v2)
    marks = shape_marks(rng, shape, 7, v2)
    other = [{"tool" if not v2 else "toolIndex": 0, "x": 1.0}]  # lacks parameters: ignored by both
    c = {"annotations": [{"task": "T0", "value": marks + (other if shape != "fullHeightLine" else [])},
                         {"task": "T1", "value": shape_marks(rng, shape, 2, v2)}],
         "metadata": {"classifier_version": "2.0" if v2 else "1.0"}}
    for kwargs in ({"task": "T0"}, {}, {"task": "T0", "tools": [1, 2]}, {"task": "T1", "tools": [0]}):
        ours = gz.shape_extractor(gz.annotation_by_task(c), shape=shape, **kwargs)
        assert_same(ref_extract("shape_extractor", c, shape=shape, **kwargs), ours)
        if kwargs == {}:
            assert sum(len(v) for f, d in ours.items() if f.startswith("frame") for v in d.values()) >= 9


def test_shape_extractor_details_v1():
    rng = np.random.default_rng(1)
    marks = shape_marks(rng, "ellipse", 6, False)
    for i, m in enumerate(marks):
        m["tool"] = i % 2
        m["details"] = [{"value": float(rng.uniform())}, {"value": int(rng.integers(0, 3))}, {"value": [0, 2]}]
    c = {"annotations": [{"task": "T0", "value": marks}]}
    details = {"T0_tool0": ["slider_extractor", "question_extractor", "question_extractor"],
               "T0_tool1": ["slider_extractor", None, None]}
    ours = gz.shape_extractor(gz.annotation_by_task(c), shape="ellipse", task="T0", details=details)
    assert_same(ref_extract("shape_extractor", c, shape="ellipse", task="T0", details=details), ours)
    assert any("T0_tool0_details" in frame for frame in ours.values() if isinstance(frame, dict))


def test_shape_extractor_details_v2():
    rng = np.random.default_rng(2)
    marks = shape_marks(rng, "point", 5, True)
    subtasks = []
    for i, m in enumerate(marks):
        m["details"] = [{"task": f"T0.{m['toolIndex']}.0"}]
        subtasks.append({"task": f"T0.{m['toolIndex']}.0", "taskType": "slider", "markIndex": i,
                         "value": float(rng.uniform())})
    c = {"annotations": [{"task": "T0", "taskType": "drawing", "value": marks}] + subtasks,
         "metadata": {"classifier_version": "2.0"}}
    details = {f"T0_toolIndex{t}_subtask0": "slider_extractor" for t in range(3)}
    ours = gz.shape_extractor(gz.annotation_by_task(c), shape="point", task="T0", details=details)
    assert_same(ref_extract("shape_extractor", c, shape="point", task="T0", details=details), ours)
    assert ours["classifier_version"] == "2.0"


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_polygon_extractor_matches_reference(version):
    rng = np.random.default_rng(3)
    kinds = ["closed", "open", "overshoot", "figure8", "holed"]
    marks = [(int(rng.integers(0, 2)), int(rng.integers(0, 2)), freehand(rng, (100, 100), 40, k)) for k in kinds]
    marks.append((0, 2, ([], [])))  # an empty drawing leaves an empty frame behind
    c = polygon_classification(marks, version)
    c["gold_standard"] = True
    for kwargs in ({"task": "T0"}, {"task": "T0", "tools": [1]}, {}):
        ours = gz.polygon_extractor(gz.annotation_by_task(c), **kwargs)
        assert_same(ref_extract("polygon_extractor", c, **kwargs), ours)
    assert ours["frame2"] == {}


def test_extractors_do_not_modify_input():
    c = polygon_classification([(0, 0, ([1, 2, 3], [4, 5, 7]))])
    grouped = gz.annotation_by_task(c)
    before = json.dumps(grouped, sort_keys=True)
    gz.polygon_extractor(grouped, task="T0", tools=[1])
    assert json.dumps(grouped, sort_keys=True) == before


def test_cat_project_extraction_identical():
    import csv

    from zooniverse_reference import CAT_CLASSIFICATIONS

    csv.field_size_limit(2**31 - 1)
    with open(CAT_CLASSIFICATIONS, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        c = {"annotations": json.loads(r["annotations"]), "metadata": json.loads(r["metadata"])}
        assert_same(ref_extract("polygon_extractor", c, task="T0"), gz.polygon_extractor(gz.annotation_by_task(c),
                                                                                           task="T0"))
    assert len(cat_extracts()) == 30


def test_malformed_marks_are_skipped_and_counted():
    good = {"tool": 0, "x": 1.5, "y": 2.0}
    c = {"annotations": [{"task": "T0", "value": [good, {"x": 1, "y": 2}, {"tool": 0, "x": None, "y": 1},
                                                  {"tool": 0, "x": float("nan"), "y": 1}, "junk"]}]}
    with pytest.warns(gz.SkippedDataWarning, match="2 malformed marks; 2 marks with a missing or non-finite value"):
        out = gz.shape_extractor(gz.annotation_by_task(c), shape="point", no_version=True)
    assert out == {"frame0": {"T0_tool0_x": [1.5], "T0_tool0_y": [2.0]}}
    c = {"annotations": [{"task": "T0", "value": [{"tool": 0, "pathX": [1, 2], "pathY": [1]},
                                                  {"tool": 0, "unknown": 1}, {"tool": 0, "pathX": [1, 2, 3],
                                                                              "pathY": [0, 1, 0]}]}]}
    with pytest.warns(gz.SkippedDataWarning, match="2 malformed polygon marks"):
        out = gz.polygon_extractor(gz.annotation_by_task(c), no_version=True)
    assert out == {"frame0": {"T0_tool0_pathX": [[1, 2, 3]], "T0_tool0_pathY": [[0, 1, 0]], "gold_standard": False}}


def test_bad_arguments_raise():
    c = gz.annotation_by_task({"annotations": []})
    with pytest.raises(GalforgeValueError, match="shape = 'hexagon'"):
        gz.shape_extractor(c, shape="hexagon")
    with pytest.raises(GalforgeValueError, match="version"):
        gz.shape_extractor(gz.annotation_by_task({"annotations": [], "metadata": {"classifier_version": "x"}}),
                           shape="point")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gz.polygon_extractor(c) == {"aggregation_version": "5.3.1"}
    c = gz.annotation_by_task({"annotations": [{"task": "T0", "value": [{"tool": 0, "x": 1, "y": 2,
                                                                        "details": [{"value": 1}]}]}]})
    with pytest.raises(GalforgeValueError, match="details extractor 'dropdown_extractor' is not supported"):
        gz.shape_extractor(c, shape="point", details={"T0_tool0": ["dropdown_extractor"]})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(annotations=junk_strategy(), v2=st.booleans())
def test_junk_never_crashes_an_extractor(annotations, v2):
    c = {"annotations": annotations if isinstance(annotations, list) else [annotations],
         "metadata": {"classifier_version": "2.0" if v2 else "1.0"}}
    grouped = gz.annotation_by_task(c)
    no_crash(gz.polygon_extractor, grouped)
    no_crash(gz.shape_extractor, grouped, shape="ellipse", tools=[0])
    no_crash(gz.shape_extractor, grouped, shape="point", task="T0",
             details={"T0_tool0": ["slider_extractor"], "T0_toolIndex0_subtask0": "slider_extractor"})
