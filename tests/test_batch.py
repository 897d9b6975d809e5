"""galforge.batch: a catalogue of synthetic galaxies fitted serially, on threads, processes and Dask;
broken objects reported; interrupted runs resumed to the same table; files written whole or not at all."""
import csv
import math
import os
import stat
import time

import numpy as np
import pytest

import galforge
import galforge.batch as gb
import galforge.batch.catalog as fit_catalog_module
from galforge.batch.store import atomic_write
from galforge.cli import main
from galforge.errors import GalforgeValueError
from galforge.io import write_image
from galforge.zooniverse.batch import extract_csv, reduce_csv
from zooniverse_reference import CAT_CLASSIFICATIONS, CATS

N_GOOD, SIZE, SIGMA, SKY = 14, 48, 1.0, 5.0
BROKEN = {"missing": "no such file", "nan": "non-finite", "masked": "every pixel is masked"}


def _truth(rng):
    return dict(x0=23.5 + rng.uniform(-2, 2), y0=24.0 + rng.uniform(-2, 2), ie=rng.uniform(15, 30),
                r_e=rng.uniform(3, 6), n=rng.uniform(0.8, 2.5), q=rng.uniform(0.5, 0.9), pa=rng.uniform(0, math.pi))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    """(catalogue path, {id: true parameters}): 14 noisy Sersic + sky images and 3 broken objects."""
    folder = tmp_path_factory.mktemp("catalog")
    rng = np.random.default_rng(8)
    rows, truth = [], {}
    write_image(folder / "sigma.fits", np.full((SIZE, SIZE), SIGMA))
    for i in range(N_GOOD):
        params = _truth(rng)
        model = galforge.Model((SIZE, SIZE), [galforge.Sersic(**params), galforge.Sky(level=SKY)])
        image = model.render() + rng.normal(0, SIGMA, (SIZE, SIZE))
        write_image(folder / f"g{i}.fits", image)
        ident = f"gal{i:02d}"
        truth[ident] = params
        # two rows carry initial guesses for the centre (the others are guessed from the image)
        guess = {"x0": repr(params["x0"] + 0.7), "y0": repr(params["y0"] - 0.5)} if i in (3, 7) else {}
        rows.append({"id": ident, "image": f"g{i}.fits", "sigma": "sigma.fits", "mask": "", **guess})
    nan = np.full((SIZE, SIZE), SKY)
    nan[10, 12] = np.nan
    write_image(folder / "nan.fits", nan)
    write_image(folder / "allmasked.fits", np.ones((SIZE, SIZE)))
    rows.insert(2, {"id": "missing", "image": "nope.fits", "sigma": "sigma.fits", "mask": ""})
    rows.insert(9, {"id": "nan", "image": "nan.fits", "sigma": "", "mask": ""})
    rows.append({"id": "masked", "image": "g0.fits", "sigma": "sigma.fits", "mask": "allmasked.fits"})
    path = folder / "catalog.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["id", "image", "sigma", "mask", "x0", "y0"])
        writer.writeheader()
        writer.writerows(rows)
    return path, truth


def read_results(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def without_timing(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


@pytest.fixture(scope="module")
def serial(catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "results.csv"
    summary = gb.fit_catalog(catalog[0], out, workers=1, progress=False)
    return out, summary


def test_good_objects_recovered_and_broken_ones_reported(catalog, serial):
    path, truth = catalog
    out, summary = serial
    rows = read_results(out)
    assert [r["id"] for r in rows][:4] == ["gal00", "gal01", "missing", "gal02"]  # catalogue order
    assert len(rows) == N_GOOD + len(BROKEN) and summary["rows"] == len(rows)
    assert summary["status"] == {"ok": N_GOOD, "error": len(BROKEN)}
    for r in rows:
        if r["id"] in BROKEN:
            assert r["status"] == "error" and BROKEN[r["id"]] in r["message"], r
            assert r["x0"] == "" and r["chi2"] == ""
            continue
        assert r["status"] == "ok", r
        assert 0.7 < float(r["reduced_chi2"]) < 1.3
        assert int(r["ndf"]) == SIZE * SIZE - 8 and float(r["seconds"]) > 0
        t = truth[r["id"]]
        for name, value in t.items():
            diff = float(r[name]) - value
            if name == "pa":
                diff = math.remainder(diff, math.pi)
            assert abs(diff) < 5 * float(r[name + "_err"]), (r["id"], name, r[name], value, r[name + "_err"])
        assert abs(float(r["sky"]) - SKY) < 5 * float(r["sky_err"])


def test_parquet_copy_matches_csv(serial):
    pq = pytest.importorskip("pyarrow.parquet")
    out, summary = serial
    table = pq.read_table(os.path.splitext(out)[0] + ".parquet").to_pylist()
    rows = read_results(out)
    assert len(table) == len(rows)
    for p, c in zip(table, rows):
        assert p["id"] == c["id"] and p["status"] == c["status"] and p["message"] == c["message"]
        for name in ("x0", "r_e", "n_err", "chi2", "seconds"):
            assert (p[name] is None or math.isnan(p[name])) if c[name] == "" else p[name] == float(c[name])
        assert p["ndf"] is None if c["ndf"] == "" else p["ndf"] == int(c["ndf"])


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.parametrize("backend, workers", [("threads", 2), ("processes", 2), ("dask", 1)])
def test_backends_give_identical_tables(catalog, serial, tmp_path, backend, workers, request):
    scheduler = request.getfixturevalue("dask_client") if backend == "dask" else None
    out = tmp_path / "results.csv"
    gb.fit_catalog(catalog[0], out, workers=workers, backend=backend, scheduler=scheduler, chunk_size=5,
                   progress=False)
    assert without_timing(read_results(out)) == without_timing(read_results(serial[0]))
    assert not os.path.exists(str(out) + ".parts")


def test_dask_by_scheduler_address(catalog, serial, tmp_path, dask_client):
    out = tmp_path / "results.csv"
    gb.fit_catalog(catalog[0], out, backend="dask", scheduler=dask_client.scheduler.address, progress=False)
    assert without_timing(read_results(out)) == without_timing(read_results(serial[0]))


def test_resume_after_interrupt_gives_the_same_table(catalog, serial, tmp_path, monkeypatch, capsys):
    out = tmp_path / "results.csv"
    real_fit, calls = fit_catalog_module.fit, []

    def interrupted(*args, **kwargs):  # Ctrl-C during the 12th fit (object 14: two broken ones fail before)
        calls.append(1)
        if len(calls) == 12:
            raise KeyboardInterrupt
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(fit_catalog_module, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        gb.fit_catalog(catalog[0], out, chunk_size=4, progress=False)
    assert not out.exists()
    parts = sorted(os.listdir(str(out) + ".parts"))
    # 12 rows in 3 chunks; the 13th, not in a chunk yet, is lost
    assert parts == ["part-000000.csv", "part-000001.csv", "part-000002.csv"]
    written = [r for p in parts for r in read_results(os.path.join(str(out) + ".parts", p))]
    assert [r["id"] for r in written] == [r["id"] for r in read_results(serial[0])][:12]
    monkeypatch.setattr(fit_catalog_module, "fit", real_fit)
    summary = gb.fit_catalog(catalog[0], out, workers=2, resume=True, chunk_size=4, progress=False)
    assert summary["skipped"] == 12 and summary["fitted"] == N_GOOD + len(BROKEN) - 12
    assert without_timing(read_results(out)) == without_timing(read_results(serial[0]))
    assert read_results(out)[:12] == written  # resumed rows kept as written, timing included
    assert sorted(os.listdir(tmp_path)) == ["results.csv", "results.parquet"]  # no parts, no temporary files
    again = gb.fit_catalog(catalog[0], out, resume=True, progress=True)  # complete: nothing left to fit
    assert again["fitted"] == 0 and read_results(out)[:12] == written
    assert f"{N_GOOD + len(BROKEN)}/{N_GOOD + len(BROKEN)}" in capsys.readouterr().err  # progress bar


def test_non_convergence_recorded_with_the_values_reached(catalog, tmp_path, monkeypatch, capsys):
    import sys

    out = tmp_path / "results.csv"
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the plain progress counter without tqdm
    summary = gb.fit_catalog(catalog[0], out, progress=True, max_iter=1, chunk_size=10)
    assert capsys.readouterr().err == "fit: 10/17\nfit: 17/17\n"
    assert summary["status"] == {"not_converged": N_GOOD, "error": len(BROKEN)}
    for r in read_results(out):
        if r["status"] == "not_converged":
            assert "maximum" in r["message"] and r["n_iter"] == "1" and math.isfinite(float(r["r_e"]))


def test_dask_missing_is_named(catalog, tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if dask were not installed
    with pytest.raises(ImportError, match=r"galforge\[batch\]"):
        list(gb.map(abs, [1], backend="dask"))
    out = tmp_path / "r.csv"
    assert main(["batch", "fit", str(catalog[0]), "--out", str(out), "--scheduler", "tcp://127.0.0.1:1"]) == 1
    assert "pip install 'galforge[batch]'" in capsys.readouterr().err and os.listdir(tmp_path) == []


KILLED_RUN = """
import sys, time
import galforge.batch as gb
import galforge.batch.catalog as module
real_fit = module.fit
def fit(*args, **kwargs):  # hangs at the 10th fit, after two chunks of 4 rows are on disk
    fit.calls = getattr(fit, "calls", 0) + 1
    if fit.calls == 10:
        time.sleep(60)
    return real_fit(*args, **kwargs)
module.fit = fit
gb.fit_catalog(sys.argv[1], sys.argv[2], chunk_size=4, progress=False)
"""


def test_resume_after_sigkill(catalog, serial, tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "results.csv"
    parts = tmp_path / "results.csv.parts"
    run = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(catalog[0]), str(out)])
    try:
        deadline = time.monotonic() + 60
        def finished_parts():  # (a killed writer may leave its hidden temporary file: resume ignores it)
            return sorted(n for n in os.listdir(parts) if n.startswith("part-")) if parts.is_dir() else []

        while len(finished_parts()) < 2 and time.monotonic() < deadline:
            assert run.poll() is None, "the run ended before it was killed"
            time.sleep(0.05)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    assert finished_parts() == ["part-000000.csv", "part-000001.csv"] and not out.exists()
    summary = gb.fit_catalog(catalog[0], out, resume=True, progress=False)
    assert summary["skipped"] == 8
    assert without_timing(read_results(out)) == without_timing(read_results(serial[0]))


def test_resume_refuses_results_of_other_settings(catalog, serial, tmp_path):
    out = tmp_path / "results.csv"
    out.write_bytes(serial[0].read_bytes())
    with pytest.raises(GalforgeValueError, match="other settings"):
        gb.fit_catalog(catalog[0], out, resume=True, sky=False, progress=False)


def test_atomic_write_leaves_old_file_whole(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old\n")

    def half(f):
        f.write("new,partial")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, half)
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["table.csv"]
    atomic_write(path, lambda f: f.write("new\n"))
    assert path.read_text() == "new\n"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_write_gives_the_permissions_open_gives(tmp_path):
    plain, written = tmp_path / "plain.csv", tmp_path / "written.csv"
    plain.write_text("x\n")
    atomic_write(written, lambda f: f.write("x\n"))
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    os.chmod(written, 0o640)  # a replaced file keeps its own
    atomic_write(written, lambda f: f.write("y\n"))
    assert stat.S_IMODE(written.stat().st_mode) == 0o640


def test_map_keeps_order_and_propagates_errors():
    def slow_square(x):
        time.sleep(0.002 * (7 - x % 7))  # later items finish first
        if x == 99:
            raise ValueError("item 99")
        return x * x

    assert list(gb.map(slow_square, range(30), workers=3)) == [x * x for x in range(30)]
    with pytest.raises(ValueError, match="item 99"):
        list(gb.map(slow_square, [1, 99, 2], workers=2))
    replaced = list(gb.map(slow_square, [1, 99, 2], workers=2, on_error=lambda item, exc: (item, str(exc))))
    assert replaced == [1, (99, "item 99"), 4]


def test_a_lost_dask_task_is_recorded_and_the_batch_goes_on(catalog, serial, tmp_path, dask_client, monkeypatch):
    real_fit_object = gb.fit_object

    def dies_on_gal05(task, **kwargs):  # a failure outside the task's own catch, as Dask's KilledWorker
        if task["id"] == "gal05":
            raise RuntimeError("worker lost while running gal05")
        return real_fit_object(task, **kwargs)

    monkeypatch.setattr(fit_catalog_module, "fit_object", dies_on_gal05)
    out = tmp_path / "results.csv"
    gb.fit_catalog(catalog[0], out, backend="dask", scheduler=dask_client, progress=False)
    rows, expected = read_results(out), read_results(serial[0])
    lost = [i for i, r in enumerate(rows) if r["id"] == "gal05"][0]
    assert rows[lost]["status"] == "error" and rows[lost]["message"] == "RuntimeError: worker lost while running gal05"
    assert without_timing(rows[:lost] + rows[lost + 1:]) == without_timing(expected[:lost] + expected[lost + 1:])


def test_bad_arguments(catalog, tmp_path):
    with pytest.raises(GalforgeValueError, match="backend = 'mpi'"):
        list(gb.map(abs, [1], backend="mpi"))
    with pytest.raises(GalforgeValueError, match="workers = 0"):
        list(gb.map(abs, [1], workers=0))
    with pytest.raises(GalforgeValueError, match="only used with backend='dask'"):
        list(gb.map(abs, [1], scheduler="tcp://x:1"))
    with pytest.raises(GalforgeValueError, match="scheduler = 8786 is invalid"):
        list(gb.map(abs, [1], backend="dask", scheduler=8786))
    with pytest.raises(GalforgeValueError, match="chunk_size = 0"):
        gb.fit_catalog(catalog[0], tmp_path / "r.csv", chunk_size=0)
    with pytest.raises(GalforgeValueError, match="give the CSV path"):
        gb.fit_catalog(catalog[0], tmp_path / "r.parquet")
    with pytest.raises(GalforgeValueError, match="unknown fit option"):
        gb.fit_catalog(catalog[0], tmp_path / "r.csv", metod="lm")
    with pytest.raises(GalforgeValueError, match="no such file"):
        gb.fit_catalog(tmp_path / "none.csv", tmp_path / "r.csv")
    (tmp_path / "c.csv").write_text("id,path\n1,a.fits\n")
    with pytest.raises(GalforgeValueError, match="no 'image' column"):
        gb.fit_catalog(tmp_path / "c.csv", tmp_path / "r.csv")
    (tmp_path / "d.csv").write_text("id,image\n1,a.fits\n1,b.fits\n")
    with pytest.raises(GalforgeValueError, match="id '1' appears twice"):
        gb.fit_catalog(tmp_path / "d.csv", tmp_path / "r.csv")


def test_fits_catalogue_and_cli(catalog, serial, tmp_path, capsys):
    from astropy.table import Table

    table = Table.read(catalog[0], format="ascii.csv")
    table["image"] = [os.path.join(os.path.dirname(catalog[0]), p) for p in table["image"]]
    for name in ("sigma", "mask"):
        table[name] = [os.path.join(os.path.dirname(catalog[0]), p) if p else "" for p in table[name].filled("")]
    table.write(tmp_path / "catalog.fits")
    out = tmp_path / "results.csv"
    assert main(["batch", "fit", str(tmp_path / "catalog.fits"), "--out", str(out), "--workers", "2",
                 "--no-progress"]) == 0
    assert "14 ok" in capsys.readouterr().out
    assert without_timing(read_results(out)) == without_timing(read_results(serial[0]))


@pytest.fixture(scope="module")
def extractions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extract")
    extract_csv(CAT_CLASSIFICATIONS, os.path.join(CATS, "cat_project_extractor_config.yaml"), output_dir=folder,
                output_name="cat")
    return folder / "polygon_extractor_cat.csv"


def test_reduce_subjects_identical_to_reduce_csv(extractions, tmp_path, dask_client):
    config = os.path.join(CATS, "cat_project_reducer_config.yaml")
    serial = reduce_csv(extractions, config, output_dir=tmp_path / "serial", output_name="cat")
    ours = gb.reduce_subjects(extractions, config, out=tmp_path / "batch", output_name="cat", backend="dask",
                              scheduler=dask_client, progress=False)
    assert ours["rows"] == serial["rows"] > 0 and ours["skipped"] == serial["skipped"]
    assert read_bytes(ours["file"]) == read_bytes(serial["file"])


def test_cli_batch_reduce(extractions, tmp_path, capsys):
    config = os.path.join(CATS, "cat_project_reducer_config.yaml")
    serial = reduce_csv(extractions, config, output_dir=tmp_path / "serial", output_name="cat")
    assert main(["batch", "reduce", str(extractions), config, "--out", str(tmp_path), "-o", "cat", "--workers", "2",
                 "--no-progress"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert read_bytes(tmp_path / os.path.basename(serial["file"])) == read_bytes(serial["file"])
