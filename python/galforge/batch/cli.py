"""``galforge batch fit`` and ``galforge batch reduce``: galforge.batch on the command line.

    galforge batch fit CATALOG --out RESULTS.csv [--workers N] [--backend B] [--scheduler ADDRESS] [--resume]
    galforge batch reduce EXTRACTIONS.csv CONFIG.yaml --out DIR [-o NAME] [--workers N] [--backend B]
"""
import sys
import warnings

from ..zooniverse.skipped import SkippedDataWarning
from .run import BACKENDS


def _cmd_fit(args):
    from .catalog import fit_catalog

    options = {"method": args.method}
    if args.max_iter is not None:
        options["max_iter"] = args.max_iter
    summary = fit_catalog(args.catalog, args.out, workers=args.workers, backend=args.backend, scheduler=args.scheduler,
                          resume=args.resume, chunk_size=args.chunk_size, progress=not args.no_progress,
                          sky=not args.no_sky, **options)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(summary["status"].items()))
    print(f"{summary['rows']} objects ({summary['fitted']} fitted now, {summary['skipped']} resumed): {counts}")
    for path in summary["files"]:
        print(f"wrote {path}")
    return 0


def _cmd_reduce(args):
    from .reduce import reduce_subjects

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedDataWarning)
        summary = reduce_subjects(args.extracted, args.config, out=args.out, output_name=args.output,
                                  workers=args.workers, backend=args.backend, scheduler=args.scheduler,
                                  progress=not args.no_progress)
    for w in caught:
        if issubclass(w.category, SkippedDataWarning):
            print(f"galforge batch: warning: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    print(f"wrote {summary['file']} ({summary['rows']} rows); {sum(summary['skipped'].values())} items skipped")
    return 0


def _run(func):
    def run(args):
        try:
            return func(args)
        except ImportError as exc:  # an optional dependency (dask) is missing: one line, not a traceback
            print(f"galforge batch: error: {exc}", file=sys.stderr)
            return 1

    return run


def _pool_options(parser, int_at_least):
    parser.add_argument("--workers", type=int_at_least(1), default=1, metavar="N",
                        help="worker threads or processes (default: %(default)s)")
    parser.add_argument("--backend", choices=BACKENDS, default=None,
                        help="threads (default), processes, or dask (default when --scheduler is given)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="Dask scheduler address, e.g. tcp://host:8786 (implies --backend dask)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _backend(func):
    def run(args):
        if args.backend is None:
            args.backend = "dask" if args.scheduler else "threads"
        return func(args)

    return run


def add_batch_parser(sub, int_at_least):
    """Register ``batch fit`` and ``batch reduce`` on the ``galforge`` sub-command parser ``sub``."""
    batch = sub.add_parser("batch", help="fit a catalogue or reduce subjects on many cores or a Dask cluster",
                           description="Batch processing on a local pool of threads or processes, or on Dask.")
    commands = batch.add_subparsers(dest="batch_command", metavar="batch_command", required=True)
    fit = commands.add_parser(
        "fit", help="fit a Sersic (+ flat sky) to every object of a catalogue",
        description="Fit every object of CATALOG (CSV or FITS table: an image column of FITS paths; optional id, "
                    "sigma, mask, psf and x0, y0, ie, r_e, n, q, pa initial-guess columns). Writes one row per "
                    "object to RESULTS (CSV, and Parquet beside it when pyarrow is installed) in catalogue order; "
                    "failures are recorded, not fatal; --resume continues an interrupted run.")
    fit.add_argument("catalog", metavar="CATALOG", help="catalogue table (CSV or FITS)")
    fit.add_argument("--out", required=True, metavar="RESULTS", help="results CSV path")
    _pool_options(fit, int_at_least)
    fit.add_argument("--resume", action="store_true", help="skip the objects already in RESULTS or its chunks")
    fit.add_argument("--chunk-size", type=int_at_least(1), default=64, metavar="N",
                     help="objects per chunk written (default: %(default)s)")
    fit.add_argument("--method", choices=("lm", "iterative"), default="lm", help="fit method (default: %(default)s)")
    fit.add_argument("--max-iter", type=int_at_least(1), default=None, metavar="N", help="fit iterations cap")
    fit.add_argument("--no-sky", action="store_true", help="do not fit a flat sky")
    fit.set_defaults(func=_run(_backend(_cmd_fit)))
    reduce = commands.add_parser(
        "reduce", help="galforge reduce with the subjects spread over workers",
        description="Reduce an extraction CSV (from galforge extract) with the one reducer of CONFIG.yaml, the "
                    "subjects in parallel; writes DIR/<reducer>_<NAME>.csv, as galforge reduce does.")
    reduce.add_argument("extracted", metavar="EXTRACTIONS.csv", help="extraction CSV from galforge extract")
    reduce.add_argument("config", metavar="CONFIG.yaml", help="reducer configuration")
    reduce.add_argument("--out", required=True, metavar="DIR", help="output folder")
    reduce.add_argument("-o", "--output", default="reductions", metavar="NAME",
                        help="base name of the output file (default: %(default)s)")
    _pool_options(reduce, int_at_least)
    reduce.set_defaults(func=_run(_backend(_cmd_reduce)))
