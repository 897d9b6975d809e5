"""Batch processing: fit a catalogue of galaxies or reduce Zooniverse subjects on every core, or on Dask.

    summary = galforge.batch.fit_catalog("catalogue.csv", "results.csv", workers=2)
    galforge.batch.reduce_subjects("shape_extractor_extractions.csv", "reducer.yaml", out="out", workers=2)
    for result in galforge.batch.map(func, items, workers=4, backend="processes"): ...

Failures of single objects are recorded in the results, not raised; results are written in chunks,
atomically, and ``resume=True`` continues an interrupted run. Dask (``backend="dask"``) needs the
``batch`` extra: ``pip install 'galforge[batch]'``.
"""
from .catalog import fit_catalog, fit_object, read_catalog
from .reduce import reduce_subjects
from .run import BACKENDS, map

__all__ = ["BACKENDS", "fit_catalog", "fit_object", "map", "read_catalog", "reduce_subjects"]
