"""``fit_catalog``: a single-Sersic (+ flat sky) fit of every object of a catalogue.

The catalogue is a table (CSV, FITS or anything ``astropy.table.Table.read`` reads, or a ``Table``)
with one row per object:
  - ``image``: path of the object's FITS cutout (relative paths are relative to the catalogue's folder);
  - optional ``id`` (default: the row number), ``sigma`` (FITS, per-pixel 1-sigma noise), ``mask``
    (FITS, non-zero = bad pixel, ignored) and ``psf`` (FITS) paths; an empty cell means none;
  - optional initial guesses ``x0, y0, ie, r_e, n, q, pa`` (pixels, radians, DESIGN.md conventions);
    a missing column or empty cell is filled by ``galforge.initial_guess``.
Each object gives one row: ``id``, ``status`` ("ok", "not_converged" or "error"), ``message`` (the
solver's, or the error's type and text), each fitted parameter and its 1-sigma error (``<name>_err``),
``chi2``, ``ndf``, ``reduced_chi2``, ``n_iter`` and ``seconds`` (wall time of the object's task).
"""
import inspect
import math
import os
import time
from functools import partial

import numpy as np

from .._checks import positive_int
from ..components import Sky
from ..errors import GalforgeValueError
from ..fit import fit
from ..guess import initial_guess
from ..io import read_image
from ..model import Model
from .run import check_options, progress_bar
from .run import map as batch_map
from .store import ChunkStore

SERSIC = ("x0", "y0", "ie", "r_e", "n", "q", "pa")
FILES = ("image", "sigma", "mask", "psf")
_FIT_OPTIONS = set(inspect.signature(fit).parameters) - {"model", "data", "sigma", "mask"}


def columns(sky=True):
    """The (name, type) columns of the results table."""
    params = SERSIC + (("sky",) if sky else ())
    return ([("id", str), ("status", str), ("message", str)] + [(p, float) for p in params]
            + [(p + "_err", float) for p in params]
            + [("chi2", float), ("ndf", int), ("reduced_chi2", float), ("n_iter", int), ("seconds", float)])


def _empty(value):
    if value is None or np.ma.is_masked(value):
        return True
    if isinstance(value, (str, bytes)):
        return value.strip() == ""
    return isinstance(value, float) and math.isnan(value)


def read_catalog(catalog):
    """Tasks (one dict per object, in catalogue order) from a table path or an ``astropy.table.Table``."""
    from astropy.table import Table

    if isinstance(catalog, Table):
        table, folder = catalog, os.getcwd()
    else:
        path = os.fspath(catalog)
        if not os.path.isfile(path):
            raise GalforgeValueError(f"catalogue {path!r}: no such file")
        fmt = "ascii.csv" if path.lower().endswith(".csv") else None
        try:
            table = Table.read(path, format=fmt)
        except Exception as exc:  # astropy raises many types for unreadable tables
            raise GalforgeValueError(f"catalogue {path!r} cannot be read as a table: {exc}") from exc
        folder = os.path.dirname(os.path.abspath(path))
    if "image" not in table.colnames:
        raise GalforgeValueError(f"catalogue has no 'image' column (columns: {table.colnames})")
    tasks, seen = [], set()
    for i, row in enumerate(table):
        ident = str(row["id"]).strip() if "id" in table.colnames and not _empty(row["id"]) else str(i)
        if ident in seen:
            raise GalforgeValueError(f"catalogue row {i}: id {ident!r} appears twice")
        seen.add(ident)
        files = {}
        for name in FILES:
            if name in table.colnames and not _empty(row[name]):
                value = row[name]
                value = value.decode() if isinstance(value, bytes) else str(value).strip()
                files[name] = value if os.path.isabs(value) else os.path.join(folder, value)
        guess = {p: float(row[p]) for p in SERSIC if p in table.colnames and not _empty(row[p])}
        tasks.append({"id": ident, "files": files, "guess": guess})
    return tasks


def _empty_row(task, sky):
    row = {name: (math.nan if kind is float else None if kind is int else "") for name, kind in columns(sky)}
    row["id"] = task["id"]
    return row


def _error_row(task, exc, sky=True):
    """The row of an object whose task failed with ``exc`` (in the task, or on a Dask worker that died)."""
    row = _empty_row(task, sky)
    row.update(status="error", message=f"{type(exc).__name__}: {' '.join(str(exc).split())}")
    return row


def fit_object(task, sky=True, fit_options=None):
    """Fit one catalogue object (a dict from ``read_catalog``); returns its results row.
    Any failure is caught and recorded (status "error") so that the batch goes on."""
    start = time.perf_counter()
    row = _empty_row(task, sky)
    try:
        files = task["files"]
        if "image" not in files:
            raise GalforgeValueError("no image path")
        image = read_image(files["image"])
        sigma = read_image(files["sigma"]) if "sigma" in files else None
        mask = read_image(files["mask"]) != 0 if "mask" in files else None
        psf = read_image(files["psf"]) if "psf" in files else None
        guess_image = image
        if mask is not None and mask.any() and not mask.all():
            guess_image = np.where(mask, np.median(image[~mask]), image)
        border = np.concatenate([guess_image[0], guess_image[-1], guess_image[:, 0], guess_image[:, -1]])
        sky0 = float(np.median(border))
        sersic = initial_guess(guess_image, sky=sky0, name="sersic").copy(**task["guess"])
        components = [sersic] + ([Sky(level=sky0, name="sky")] if sky else [])
        result = fit(Model(image.shape, components, psf=psf), image, sigma=sigma, mask=mask, **(fit_options or {}))
        for p in SERSIC:
            row[p], row[p + "_err"] = result.values["sersic"][p], result.errors["sersic"][p]
        if sky:
            row["sky"], row["sky_err"] = result.values["sky"]["level"], result.errors["sky"]["level"]
        row.update(status="ok" if result.success else "not_converged", message=result.message, chi2=result.chi2,
                   ndf=result.ndf, reduced_chi2=result.reduced_chi2, n_iter=result.n_iter)
    except Exception as exc:  # one bad object must not stop the batch: record it
        row = _error_row(task, exc, sky)
    row["seconds"] = time.perf_counter() - start
    return row


def fit_catalog(catalog, out, workers=1, backend="threads", scheduler=None, resume=False, chunk_size=64,
                progress=True, sky=True, **fit_options):
    """Fit every object of ``catalog`` (see the module docstring); write the results table to ``out``.

    out: CSV path; a Parquet copy is written beside it (suffix .parquet) when pyarrow is installed.
    workers, backend, scheduler: as ``galforge.batch.map`` ("threads", "processes" or "dask").
    resume: keep the rows already in ``out`` or in its unfinished chunks and fit only the others.
    chunk_size: rows per chunk file (a crash loses at most the rows not yet in a chunk).
    progress: a tqdm bar (a plain counter on stderr without tqdm). sky: fit a flat sky with the Sersic.
    fit_options: passed to ``galforge.fit`` (method, max_iter, ftol, ...).
    Returns a summary dict: ``{'files', 'rows', 'fitted', 'skipped', 'status': {status: count}}``.
    """
    unknown = sorted(set(fit_options) - _FIT_OPTIONS)
    if unknown:
        raise GalforgeValueError(f"unknown fit option(s) {unknown}: expected some of {sorted(_FIT_OPTIONS)}")
    if os.fspath(out).lower().endswith(".parquet"):
        raise GalforgeValueError(f"out = {out!r}: give the CSV path; the Parquet copy is written beside it")
    chunk_size = positive_int("chunk_size", chunk_size)
    check_options(workers, backend, scheduler)
    tasks = read_catalog(catalog)
    store = ChunkStore(out, columns(sky), resume=resume)
    done = store.done() if resume else {}
    ids = {t["id"] for t in tasks}
    done = {k: v for k, v in done.items() if k in ids}
    todo = [t for t in tasks if t["id"] not in done]
    bar = progress_bar(len(tasks), "fit", progress)
    if bar is not None and done:
        bar.update(len(done))
    chunk = []
    try:
        for row in batch_map(partial(fit_object, sky=sky, fit_options=fit_options), todo, workers=workers,
                             backend=backend, scheduler=scheduler, on_error=partial(_error_row, sky=sky)):
            done[row["id"]] = row
            chunk.append(row)
            if len(chunk) == chunk_size:
                store.write_chunk(chunk)
                if bar is not None:
                    bar.update(len(chunk))
                chunk = []
        store.write_chunk(chunk)
        if bar is not None and chunk:
            bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    rows = [done[t["id"]] for t in tasks]
    files = store.finish(rows)
    status = {}
    for r in rows:
        status[r["status"]] = status.get(r["status"], 0) + 1
    return {"files": files, "rows": len(rows), "fitted": len(todo), "skipped": len(tasks) - len(todo),
            "status": status}
