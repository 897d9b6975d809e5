"""Throughput of galforge.batch.fit_catalog on 40 single-Sersic + sky fits of 64x64 FITS cutouts:
serial vs 2 threads vs 2 spawned processes vs a Dask LocalCluster (in-process, 2 threads), beside
joblib (loky, 2 processes) and a plain loop over the same per-object task (no chunked output).
Each entry records objects per second in extra_info; pool and cluster start-up are inside the timing
except for Dask (the cluster is started once, as on a real deployment)."""
import csv

import numpy as np
import pytest

import galforge as gf
import galforge.batch as gb

N_OBJECTS, SIZE = 40, 64


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-batch")
    rng = np.random.default_rng(40)
    rows = []
    for i in range(N_OBJECTS):
        params = dict(x0=SIZE / 2 + rng.uniform(-2, 2), y0=SIZE / 2 + rng.uniform(-2, 2), ie=rng.uniform(10, 30),
                      r_e=rng.uniform(4, 8), n=rng.uniform(0.8, 3), q=rng.uniform(0.4, 0.9), pa=rng.uniform(0, 3))
        image = gf.Model((SIZE, SIZE), [gf.Sersic(**params), gf.Sky(5.0)]).render()
        gf.io.write_image(folder / f"g{i}.fits", image + rng.normal(0, 1.0, image.shape))
        rows.append({"id": f"g{i}", "image": f"g{i}.fits"})
    path = folder / "catalog.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["id", "image"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


RUNS = {"galforge": dict(workers=1), "galforge-threads2": dict(workers=2),
        "galforge-processes2": dict(workers=2, backend="processes"), "galforge-dask2": dict(backend="dask")}


@pytest.mark.parametrize("code", list(RUNS) + ["loop", "joblib-loky2"])
def test_batch_fit_throughput(benchmark, code, catalog, tmp_path, request):
    """Each run returns the number of objects fitted with status "ok"."""
    benchmark.group = f"batch-fit-{N_OBJECTS}x{SIZE}x{SIZE}"
    tasks = gb.read_catalog(catalog)
    if code in RUNS:
        options = dict(RUNS[code])
        if code == "galforge-dask2":
            options["scheduler"] = request.getfixturevalue("dask_client")

        def run():
            return gb.fit_catalog(catalog, tmp_path / "results.csv", progress=False, **options)["status"]["ok"]
    elif code == "loop":
        def run():
            return sum(gb.fit_object(t)["status"] == "ok" for t in tasks)
    else:
        joblib = pytest.importorskip("joblib")

        def run():
            rows = joblib.Parallel(n_jobs=2, backend="loky")(joblib.delayed(gb.fit_object)(t) for t in tasks)
            return sum(r["status"] == "ok" for r in rows)
    assert benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0) == N_OBJECTS
    benchmark.extra_info["objects_per_second"] = N_OBJECTS / benchmark.stats.stats.median
