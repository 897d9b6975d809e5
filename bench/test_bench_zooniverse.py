"""End-to-end aggregation of the Zooniverse cat project (128 classifications, 30 subjects): extract
the drawings from the classification export, then reduce them subject by subject with the project's
reducer configuration (polygon_reducer, median). galforge's extract_csv + reduce_csv against
panoptes_aggregation's extract_csv + reduce_csv (the functions behind its CLI), in one process, on the
same files (and galforge.zooniverse.extract + reduce giving the same rows as DataFrames, without
files); plus the reducer functions alone on the same extracts (median and union)."""
import copy
import csv
import json
import os

import pytest

import galforge.zooniverse as gz
from galforge.zooniverse.batch import extract_csv, reduce_csv

CATS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "zooniverse_cats")
CLASSIFICATIONS = os.path.join(CATS, "cat-project-classifications.csv")
EXTRACTOR = os.path.join(CATS, "cat_project_extractor_config.yaml")
REDUCER = os.path.join(CATS, "cat_project_reducer_config.yaml")


def galforge_pipeline(folder):
    extract_csv(CLASSIFICATIONS, EXTRACTOR, output_dir=folder, output_name="cat")
    return reduce_csv(os.path.join(folder, "polygon_extractor_cat.csv"), REDUCER, output_dir=folder,
                      output_name="cat")["file"]


def galforge_api_pipeline(folder):
    """The same rows as DataFrames, without files (galforge.zooniverse.extract / reduce)."""
    frames = gz.extract(CLASSIFICATIONS, EXTRACTOR)
    path = os.path.join(folder, "polygon_reducer_cat_api.csv")
    gz.reduce(frames["polygon_extractor"], REDUCER).to_csv(path, index=False)
    return path


def panoptes_pipeline(folder):
    scripts = pytest.importorskip("panoptes_aggregation.scripts", exc_type=ImportError)
    scripts.extract_csv(CLASSIFICATIONS, EXTRACTOR, output_dir=folder, output_name="cat", hide_progressbar=True)
    return scripts.reduce_csv(os.path.join(folder, "polygon_extractor_cat.csv"), REDUCER, output_dir=folder,
                              output_name="cat", hide_progressbar=True)


@pytest.mark.parametrize("code", ["galforge", "galforge-api", "panoptes"])
def test_cat_project_extract_reduce(benchmark, tmp_path, code):
    run = {"galforge": galforge_pipeline, "galforge-api": galforge_api_pipeline, "panoptes": panoptes_pipeline}[code]
    benchmark.group = "zooniverse-cat-project-extract+reduce"
    path = benchmark.pedantic(run, args=(str(tmp_path),), rounds=3 if code == "panoptes" else 5, iterations=1,
                              warmup_rounds=1)
    with open(path, newline="", encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 30


def test_cat_project_extract_reduce_interleaved(benchmark, tmp_path):
    """galforge's files pipeline timed by pytest-benchmark, and in extra_info the median ratio of 5
    pairs that alternate the two codes on the same files (galforge before and after each reference
    run, averaged): the machine's speed drifts between minutes, a pair's two codes share it."""
    import statistics
    import time

    pytest.importorskip("panoptes_aggregation.scripts", exc_type=ImportError)
    ours, theirs = tmp_path / "galforge", tmp_path / "panoptes"
    ours.mkdir()
    theirs.mkdir()
    galforge_pipeline(str(ours))
    panoptes_pipeline(str(theirs))
    pairs = []
    for _ in range(5):
        a = time.perf_counter()
        galforge_pipeline(str(ours))
        b = time.perf_counter()
        panoptes_pipeline(str(theirs))
        c = time.perf_counter()
        galforge_pipeline(str(ours))
        d = time.perf_counter()
        pairs.append(((b - a + d - c) / 2, c - b))
    benchmark.group = "zooniverse-cat-project-interleaved"
    benchmark.extra_info.update(
        galforge_ms=round(statistics.median(g for g, _ in pairs) * 1e3, 1),
        panoptes_ms=round(statistics.median(p for _, p in pairs) * 1e3, 1),
        ratio=round(statistics.median(p / g for g, p in pairs), 1))
    path = benchmark.pedantic(galforge_pipeline, args=(str(ours),), rounds=5, iterations=1, warmup_rounds=1)
    for name in ("polygon_extractor_cat.csv", "polygon_reducer_cat.csv"):  # the same files as the reference's
        with open(ours / name, newline="", encoding="utf-8") as f, open(theirs / name, newline="", encoding="utf-8") as g:
            assert len(list(csv.reader(f))) == len(list(csv.reader(g)))
    assert os.path.basename(path) == "polygon_reducer_cat.csv"


def cat_subjects():
    csv.field_size_limit(2**31 - 1)
    with open(CLASSIFICATIONS, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["workflow_version"] == "13.19"]
    subjects = {}
    for r in sorted(rows, key=lambda r: (int(r["subject_ids"]), r["created_at"])):
        c = {"annotations": json.loads(r["annotations"]), "metadata": json.loads(r["metadata"])}
        extracts, times = subjects.setdefault(r["subject_ids"], ([], []))
        extracts.append(gz.polygon_extractor(gz.annotation_by_task(c), task="T0"))
        times.append(r["created_at"])
    return list(subjects.values())


SUBJECTS = cat_subjects()


@pytest.mark.parametrize("average_type", ["median", "union"])
@pytest.mark.parametrize("code", ["galforge", "panoptes"])
def test_cat_project_polygon_reducer(benchmark, code, average_type):
    if code == "galforge":
        reducer = gz.polygon_reducer
    else:
        reducer = pytest.importorskip("panoptes_aggregation.reducers", exc_type=ImportError).polygon_reducer
    data = [copy.deepcopy(s) for s in SUBJECTS]  # the reference modifies its input (drops the version key)

    def run():
        return [reducer(extracts, created_at=times, average_type=average_type, eps=0.5, min_samples=2)
                for extracts, times in data]

    benchmark.group = f"zooniverse-cat-polygon_reducer-{average_type}"
    out = benchmark.pedantic(run, rounds=5 if code == "galforge" else 3, iterations=1, warmup_rounds=1)
    assert sum(len(o.get("threshold", [])) for o in out) >= 30


def ellipse_extracts(n_users=10, n_objects=30, seed=12345):
    """n_users volunteers each drawing n_objects ellipses (noise 1.5 px / degrees, angles near 0/360)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(0, 1000, (n_objects, 2)), rng.uniform(10, 40, (n_objects, 2)),
                               rng.uniform(-20, 20, n_objects)])
    extracts = []
    for _ in range(n_users):
        marks = np.round(centres + rng.normal(0, 1.5, centres.shape), 2)
        extracts.append({"frame0": {f"T0_tool0_{p}": marks[:, i].tolist()
                                    for i, p in enumerate(["x", "y", "rx", "ry", "angle"])}})
    return extracts


ELLIPSES = ellipse_extracts()


@pytest.mark.parametrize("code", ["galforge", "panoptes"])
def test_shape_reducer_dbscan_300_ellipses(benchmark, code):
    if code == "galforge":
        reducer = gz.shape_reducer_dbscan
    else:
        reducer = pytest.importorskip("panoptes_aggregation.reducers", exc_type=ImportError).shape_reducer_dbscan
    users = list(range(len(ELLIPSES)))
    benchmark.group = "zooniverse-shape_reducer_dbscan-300-ellipses"
    out = benchmark.pedantic(lambda: reducer(copy.deepcopy(ELLIPSES), user_id=users, shape="ellipse", eps=5,
                                             min_samples=3), rounds=5, iterations=1, warmup_rounds=1)
    assert len(out["frame0"]["T0_tool0_clusters_count"]) == 30


def cat_rings():
    """The vertices of every drawing of the cat project (157 outlines of ~340 vertices, 30 of them
    self-intersecting): the rings polygon_reducer tests for simplicity before repairing."""
    import numpy as np

    rings = []
    for extracts, _ in SUBJECTS:
        for extract in extracts:
            frame = extract.get("frame0", {})
            for key, xs in frame.items():
                if key.endswith("_pathX"):
                    for x, y in zip(xs, frame[key[:-1] + "Y"]):
                        rings.append(np.column_stack([x, y]).astype(float))
    return rings


RINGS = cat_rings()


@pytest.mark.parametrize("code", ["galforge", "shapely"])
def test_cat_project_ring_simplicity(benchmark, code):
    """galforge.polygons.ring_simplicity (GEOS's answer where certain; -1 left to GEOS, none here) vs
    shapely.is_simple on the same rings as polygons."""
    import numpy as np
    import shapely

    from galforge.polygons import ring_simplicity

    benchmark.group = "zooniverse-cat-ring-simplicity-157"
    geoms = np.array([shapely.Polygon(ring) for ring in RINGS])
    if code == "galforge":
        out = benchmark.pedantic(ring_simplicity, args=(RINGS,), rounds=20, iterations=1, warmup_rounds=1)
    else:
        out = benchmark.pedantic(shapely.is_simple, args=(geoms,), rounds=20, iterations=1, warmup_rounds=1)
    truth = shapely.is_simple(geoms)
    assert np.array_equal(np.asarray(out, dtype=int), truth.astype(int))
