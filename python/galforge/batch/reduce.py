"""``reduce_subjects``: ``galforge reduce`` with the subjects spread over workers.

The output file is the one ``galforge.zooniverse.batch.reduce_csv`` writes (same rows, same order),
written atomically once every subject is reduced.
"""
from functools import partial

from ..zooniverse.batch import prepare_reduction, reduce_job, write_reduction
from .run import check_options, progress_bar
from .run import map as batch_map


def reduce_subjects(extracted_csv, config, out=".", output_name="reductions", workers=1, backend="threads",
                    scheduler=None, progress=True):
    """Reduce an extraction CSV (from ``galforge extract``) subject by subject with the one reducer of
    ``config`` (YAML path or dict), the subjects running in parallel (see ``galforge.batch.map``).

    Writes ``<out>/<reducer>_<output_name>.csv``; returns ``{'file', 'rows', 'skipped'}`` as ``reduce_csv``.
    """
    check_options(workers, backend, scheduler)
    name, keywords, workflow_id, jobs, skipped = prepare_reduction(extracted_csv, config)
    rows = []
    bar = progress_bar(len(jobs), "reduce", progress)
    try:
        task = partial(reduce_job, name=name, keywords=keywords, workflow_id=workflow_id)
        for job_rows, tally in batch_map(task, jobs, workers=workers, backend=backend, scheduler=scheduler):
            rows += job_rows
            skipped.update(tally)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return write_reduction(name, out, output_name, rows, skipped)
