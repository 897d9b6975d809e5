"""Whole-file extraction and reduction with the reference's configuration files and CSV layouts
(reference/panoptes.md §4): ``extract_csv`` (classification export -> one extraction CSV per
extractor) and ``reduce_csv`` (extraction CSV -> reduction CSV).

Rows that cannot be used (unreadable JSON, an extractor failing, an unparseable time) are skipped
and counted; the counts, with the drawings the extractors and reducers skipped, are returned and
reported in one :class:`SkippedDataWarning`. As in the reference 5.3.1, reduction does not filter
repeated classifications of a subject by one user (its ``--filter`` option has no effect); only
identical rows are dropped.
"""
import contextlib
import gc
import os
import warnings
from collections import Counter

from ..errors import GalforgeValueError
from . import EXTRACTORS, REDUCERS
from .csvio import cell_text, flatten, load_yaml, read_rows, unflatten, write_rows
from .extract import annotation_by_task, parse_version
from .polygon_reduce import _timestamp, polygon_reducer_many
from .skipped import SkippedDataWarning, collecting
from .texts import loads

EXTRACT_INFO = ("classification_id", "user_name", "user_id", "workflow_id")


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector paused (if it was running): a file's JSON and coordinate lists are
    ~10^5 new objects, freed by reference counting (no cycles), that its passes would traverse again
    and again (~2 ms of the cat project's ~45 ms); collection resumes, as it was, when the call ends."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def progress(iterable, total, desc, show):
    """``tqdm`` progress bar when installed and ``show``; the plain iterable otherwise."""
    if show:
        try:
            from tqdm import tqdm
        except ImportError:
            return iterable
        return tqdm(iterable, total=total, desc=desc)
    return iterable


def _version_range(spec):
    if isinstance(spec, dict):
        out = {k: parse_version(v) for k, v in spec.items() if k in ("min", "max")}
        if "max" in out and len(out["max"]) == 1:  # 'max: 3.0' means every 3.x
            out["max"] = (out["max"][0] + 1,)
        return out
    version = parse_version(spec)
    return {"min": version, "max": (version[0] + 1,) if len(version) == 1 else version}


def describe(skipped):
    """``'3 rows with ...; polygon_reducer: 2 drawings with ...'`` from a Counter of reasons or (what, reason)."""
    parts = []
    for key, n in sorted(skipped.items(), key=lambda item: str(item[0])):
        parts.append(f"{key[0]}: {n} {key[1]}" if isinstance(key, tuple) else f"{n} {key}")
    return "; ".join(parts)


def _report(summary, what):
    if summary["skipped"]:
        warnings.warn(f"{what}: skipped {describe(summary['skipped'])}", SkippedDataWarning, stacklevel=3)


def _workflow_rows(rows, config, skipped):
    """The rows of the configuration's workflow id and version range."""
    versions = _version_range(config["workflow_version"])
    selected = []
    for row in rows:
        try:
            if int(row["workflow_id"]) != int(config["workflow_id"]):
                continue
            version = parse_version(row["workflow_version"])
        except (KeyError, ValueError, TypeError):
            skipped["rows with an unreadable workflow id or version"] += 1
            continue
        if ("min" in versions and version < versions["min"]) or ("max" in versions and version > versions["max"]):
            continue
        selected.append(row)
    return selected


@_collector_paused()
def extract_rows(rows, config, source="the classifications", show_progress=False):
    """Run the extractors of ``config`` (YAML path or dict; without ``workflow_id`` every row is used)
    over classification rows (dicts of CSV cells; ``annotations`` / ``metadata`` as JSON text or
    already parsed). Returns ``({extractor name: rows}, selected, skipped)``, each output row a list
    of (column, value) pairs as the CSV holds them."""
    config = load_yaml(config) if not isinstance(config, dict) else config
    if "extractor_config" not in config:
        raise GalforgeValueError("extractor configuration lacks 'extractor_config'")
    jobs, skipped = [], Counter()
    for name, keyword_list in config["extractor_config"].items():
        key = "shape_extractor" if "shape_extractor" in name else name
        if key not in EXTRACTORS:
            skipped[f"extractor {name!r} (not supported by galforge)"] += 1
            continue
        for keywords in keyword_list or [{}]:
            jobs.append((name, EXTRACTORS[key], dict(keywords or {})))
    selected = _workflow_rows(rows, config, skipped) if "workflow_id" in config else list(rows)
    if not selected:
        raise GalforgeValueError(f"no classification in {source} matches workflow_id {config.get('workflow_id')!r} "
                                 f"and workflow_version {config.get('workflow_version')!r}")
    out = {name: [] for name, _, _ in jobs}
    with collecting() as tally:
        for row in progress(selected, len(selected), "extract", show_progress):
            try:
                classification = annotation_by_task({"annotations": _json(row["annotations"]),
                                                     "metadata": _json(row.get("metadata") or "{}")})
            except (KeyError, ValueError, TypeError, AttributeError):
                skipped["rows with unreadable annotations or metadata"] += 1
                continue
            info = [(k, row.get(k, "")) for k in EXTRACT_INFO]
            for name, extractor, keywords in jobs:
                try:
                    extract = extractor(classification, **keywords)
                except GalforgeValueError:
                    raise
                except (KeyError, ValueError, TypeError, AttributeError, IndexError):
                    skipped[f"rows {name} could not read"] += 1
                    continue
                out[name].append(info + [("task", keywords.get("task")), ("created_at", row.get("created_at", "")),
                                         ("subject_id", row.get("subject_ids", "")), ("extractor", name)]
                                 + flatten(extract))
    skipped.update(tally)
    return out, len(selected), skipped


def _json(value):
    return loads(value) if isinstance(value, str) else value


@_collector_paused()  # until the rows are freed: none left for the collector's next pass
def extract_csv(classification_csv, config, output_dir=".", output_name="extractions", show_progress=False):
    """Extract a Panoptes classification export with an extractor configuration (YAML path or dict).

    Writes ``<extractor name>_<output_name>.csv`` per configured extractor into ``output_dir``;
    returns ``{'files': [...], 'rows': {file: n}, 'selected': n, 'skipped': Counter}``.
    """
    config = load_yaml(config) if not isinstance(config, dict) else config
    for key in ("extractor_config", "workflow_id", "workflow_version"):
        if key not in config:
            raise GalforgeValueError(f"extractor configuration lacks {key!r}")
    out, selected, skipped = extract_rows(read_rows(classification_csv), config, repr(str(classification_csv)),
                                          show_progress)
    base = os.path.splitext(output_name)[0]
    files, counts = [], {}
    for name, table in out.items():
        if not table:
            continue
        path = os.path.join(output_dir, f"{name}_{base}.csv")
        write_rows(path, table)
        files.append(path)
        counts[path] = len(table)
    summary = {"files": files, "rows": counts, "selected": selected, "skipped": skipped}
    _report(summary, "extract")
    return summary


def _subject_key(value):
    try:
        return (0, int(value), "")
    except ValueError:
        return (1, 0, value)


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text if text != "" else None
    return int(value) if value.is_integer() else value


def _quick_key(cells):
    """A function of the cells' texts that is quick to compute: lists (texts starting with '[') are
    left out, so rows with the same texts have the same key; only rows sharing a key are compared
    by :func:`_content`."""
    out = []
    for k, v in cells:
        text = "[" if type(v) is list else v if type(v) is str else cell_text(v)
        out.append((k, "[" if text[:1] == "[" else text))
    return tuple(out)


def _content(row):
    """The texts of a row's cells (computed once)."""
    if "_content" not in row:
        row["_content"] = tuple((k, v if isinstance(v, str) else cell_text(v)) for k, v in row["_cells"])
    return row["_content"]


def prepare_reduction(extracted_csv, config):
    """Read a reducer configuration and an extraction CSV (a path, or its rows as dicts of cells: text
    as in the file or the values themselves); returns ``(name, keywords, workflow_id, jobs, skipped)``
    where each job ``(subject, task, rows)`` holds one subject's rows for one task, in subject then
    time order (the order of ``reduce_csv``'s output)."""
    config = load_yaml(config) if not isinstance(config, dict) else config
    reducers = config.get("reducer_config")
    if not isinstance(reducers, dict) or len(reducers) != 1:
        raise GalforgeValueError("reducer configuration must hold reducer_config with exactly one reducer")
    (name, keywords), = reducers.items()
    if name not in REDUCERS:
        raise GalforgeValueError(f"reducer {name!r} is not supported: expected one of {sorted(REDUCERS)}")
    keywords = dict(keywords or {})
    skipped = Counter()
    rows = []
    from_file = isinstance(extracted_csv, (str, os.PathLike))  # every cell is text
    for row in read_rows(extracted_csv) if from_file else map(dict, extracted_csv):
        try:
            row["_cells"] = list(row.items())  # the row as read, to drop identical rows
            row["_time"] = _timestamp(row["created_at"])
            row["_subject"] = _subject_key(row["subject_id"])
        except (KeyError, GalforgeValueError):
            skipped["rows with an unreadable subject_id or created_at"] += 1
            continue
        rows.append(row)
    rows.sort(key=lambda r: (r["_subject"], r["_time"]))
    if not rows:
        raise GalforgeValueError(f"no usable extraction row in {str(extracted_csv)!r}")
    workflow_id = rows[0].get("workflow_id", "")
    tasks = list(dict.fromkeys(r.get("task", "") for r in rows))
    by_subject, texts, buckets, unbucketed = {}, set(), {}, []
    for r in rows:  # identical rows count once
        group = by_subject.setdefault(r["subject_id"], {}).setdefault(r.get("task", ""), [])
        cells = r["_cells"]
        if from_file or all(type(v) is str for _, v in cells):  # rows of text: their texts are their key
            key = tuple(cells)
            if key in texts or (buckets and any(_content(o) == key for o in buckets.get(_quick_key(cells), ()))):
                continue
            texts.add(key)
            (buckets.setdefault(_quick_key(cells), []) if buckets else unbucketed).append(r)
            group.append(r)
            continue
        for o in unbucketed:  # rows holding values (not text) are compared with the rows sharing their quick key
            buckets.setdefault(_quick_key(o["_cells"]), []).append(o)
        unbucketed = []
        same = buckets.setdefault(_quick_key(cells), [])
        if not any(_content(r) == _content(o) for o in same):
            same.append(r)
            group.append(r)
    jobs = [(s, t, by_subject[s].get(t, [])) for s in by_subject for t in tasks]
    return name, keywords, workflow_id, jobs, skipped


def reduce_job(job, name, keywords, workflow_id):
    """Reduce one ``(subject, task, rows)`` job; returns (output rows, Counter of skipped items)."""
    with collecting() as tally:
        extracts, kwargs = _reducer_call(job, name, keywords)
        reduction = REDUCERS[name](extracts, **kwargs)
    return _output_rows(job, name, workflow_id, reduction), tally


def _reducer_call(job, name, keywords):
    """(extracts, keyword arguments) of the reducer call of a job."""
    _, _, group = job
    paths = name in ("polygon_reducer", "polygon_reducer_contours")  # drawings read as arrays
    extracts = [unflatten(r, paths=paths) for r in group]
    return extracts, dict(keywords, user_id=[_number(r.get("user_id", "")) for r in group],
                          created_at=[r["_time"] for r in group])


def _output_rows(job, name, workflow_id, reduction):
    subject, task, _ = job
    return [[("subject_id", subject), ("workflow_id", workflow_id), ("task", task), ("reducer", name)] + flatten(item)
            for item in (reduction if isinstance(reduction, list) else [reduction])]


def write_reduction(name, output_dir, output_name, out, skipped):
    """Write the reduction rows (atomically) and report the skipped items; returns the summary dict."""
    path = os.path.join(output_dir, f"{name}_{os.path.splitext(output_name)[0]}.csv")
    write_rows(path, out)
    summary = {"file": path, "rows": len(out), "skipped": skipped}
    _report(summary, "reduce")
    return summary


@_collector_paused()
def reduce_csv(extracted_csv, config, output_dir=".", output_name="reductions", show_progress=False):
    """Reduce an extraction CSV subject by subject (and task) with a reducer configuration.

    The configuration (YAML path or dict) holds ``reducer_config: {name: {keywords}}`` with exactly
    one reducer. Writes ``<reducer name>_<output_name>.csv``: one row per subject and task, or per
    cluster for ``polygon_reducer_contours``. Returns ``{'file', 'rows', 'skipped'}``.
    """
    name, out, skipped = reduce_rows(extracted_csv, config, show_progress)
    return write_reduction(name, output_dir, output_name, out, skipped)


@_collector_paused()
def reduce_rows(extractions, config, show_progress=False):
    """(reducer name, output rows, skipped counts) of reducing ``extractions`` (a CSV path or rows)."""
    name, keywords, workflow_id, jobs, skipped = prepare_reduction(extractions, config)
    out = []
    if name == "polygon_reducer":  # every subject's drawings checked and repaired together
        with collecting() as tally:
            reductions = polygon_reducer_many([_reducer_call(job, name, keywords) for job in jobs])
            for job, reduction in zip(progress(jobs, len(jobs), "reduce", show_progress), reductions):
                out += _output_rows(job, name, workflow_id, reduction)
        skipped.update(tally)
        return name, out, skipped
    for job in progress(jobs, len(jobs), "reduce", show_progress):
        rows, tally = reduce_job(job, name, keywords, workflow_id)
        out += rows
        skipped.update(tally)
    return name, out, skipped
