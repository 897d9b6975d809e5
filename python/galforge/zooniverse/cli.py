"""``galforge extract`` and ``galforge reduce``: the reference's command lines, config files and CSVs.

    galforge extract CLASSIFICATIONS.csv CONFIG.yaml [-d DIR] [-o NAME] [-hb]
    galforge reduce EXTRACTIONS.csv CONFIG.yaml [-d DIR] [-o NAME] [-hb]
"""
import sys
import warnings

from .skipped import SkippedDataWarning


def _run(func, args, *paths):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SkippedDataWarning)
        summary = func(*paths, output_dir=args.dir, output_name=args.output, show_progress=not args.hide_progressbar)
    for w in caught:
        if issubclass(w.category, SkippedDataWarning):
            print(f"galforge {args.command}: warning: {w.message}", file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return summary


def _cmd_extract(args):
    from .batch import extract_csv

    summary = _run(extract_csv, args, args.classifications, args.config)
    print(f"{summary['selected']} classifications selected, {sum(summary['skipped'].values())} skipped")
    for path, n in summary["rows"].items():
        print(f"wrote {path} ({n} rows)")
    return 0


def _cmd_reduce(args):
    from .batch import reduce_csv

    summary = _run(reduce_csv, args, args.extracted, args.config)
    print(f"wrote {summary['file']} ({summary['rows']} rows); {sum(summary['skipped'].values())} items skipped")
    return 0


def _common(parser, default_name):
    parser.add_argument("-d", "--dir", default=".", metavar="DIR", help="output folder (default: current folder)")
    parser.add_argument("-o", "--output", default=default_name, metavar="NAME",
                        help="base name of the output file(s) (default: %(default)s)")
    parser.add_argument("-hb", "--hide_progressbar", action="store_true", help="no progress bar")


def add_commands(sub):
    """Register ``extract`` and ``reduce`` on the ``galforge`` sub-command parser ``sub``."""
    extract = sub.add_parser(
        "extract", help="extract Zooniverse drawings from a classification export (panoptes_aggregation compatible)",
        description="Run the extractors of an extractor configuration (panoptes_aggregation's YAML) over the "
                    "classifications of its workflow id and version; write <extractor>_<NAME>.csv per extractor. "
                    "Rows and drawings that cannot be read are skipped and counted.")
    extract.add_argument("classifications", metavar="CLASSIFICATIONS.csv", help="Panoptes classification export")
    extract.add_argument("config", metavar="CONFIG.yaml", help="extractor configuration")
    _common(extract, "extractions")
    extract.set_defaults(func=_cmd_extract)
    reduce = sub.add_parser(
        "reduce", help="cluster and average extracted drawings subject by subject (panoptes_aggregation compatible)",
        description="Reduce an extraction CSV with the one reducer of a reducer configuration (polygon_reducer, "
                    "polygon_reducer_contours, shape_reducer_dbscan, shape_reducer_hdbscan); write "
                    "<reducer>_<NAME>.csv with one row per subject and task (per cluster for contours).")
    reduce.add_argument("extracted", metavar="EXTRACTIONS.csv", help="extraction CSV from galforge extract")
    reduce.add_argument("config", metavar="CONFIG.yaml", help="reducer configuration")
    _common(reduce, "reductions")
    reduce.set_defaults(func=_cmd_reduce)
