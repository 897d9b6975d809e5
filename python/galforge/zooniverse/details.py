"""Reduction of the details (sub-tasks) of clustered marks (reference/panoptes.md §2.6).

v1 extracts hold ``{tool}_details`` (per mark, one extract per detail); v2 extracts hold
``{tool}_subtaskN`` (per mark, one extract). Each cluster's details are reduced with
``slider_reducer`` (mean, median, population variance) or ``question_reducer`` (answer counts).
"""
import numpy as np

from ..errors import GalforgeValueError
from .extract import parse_version


def slider_reducer(values, user_id=None):
    """``{'slider_mean', 'slider_median', 'slider_var'}`` of slider extracts ``[{'slider_value': v}, ...]``."""
    v = [d["slider_value"] for d in values if isinstance(d, dict) and "slider_value" in d]
    return {"slider_mean": float(np.mean(v)), "slider_median": float(np.median(v)), "slider_var": float(np.var(v))}


def question_reducer(values, user_id=None):
    """Answer counts summed over question extracts ``[{'answer': 1, ...}, ...]``."""
    out = {}
    for d in values:
        for key in d if isinstance(d, dict) else []:
            out[key] = out.get(key, 0) + 1
    return out


DETAIL_REDUCERS = {"slider_reducer": slider_reducer, "question_reducer": question_reducer}


def _reducer(name):
    if name not in DETAIL_REDUCERS:
        raise GalforgeValueError(f"details reducer {name!r} is not supported: expected one of {sorted(DETAIL_REDUCERS)}")
    return DETAIL_REDUCERS[name]


def _object_rows(rows):
    arr = np.empty(len(rows), dtype=object)
    arr[:] = rows
    return arr


def reduce_details(output, extracts, details, user_id):
    """Add the details of ``extracts`` and their per-cluster reductions to ``output`` (in place)."""
    versions = [parse_version(d.get("classifier_version", "1.0")) for d in extracts]
    user_id = list(user_id) if user_id is not None else [None] * len(extracts)
    if all(v == (1,) for v in versions):
        keys = list(details)
        per_frame_users = {}
        for edx, extract in enumerate(extracts):
            for frame_key, frame in extract.items():
                if not frame_key.startswith("frame"):
                    continue
                for tool in keys:
                    merged = output.setdefault(frame_key, {}).setdefault(f"{tool}_details", [])
                    if f"{tool}_details" in frame:
                        merged += frame[f"{tool}_details"]
                        per_frame_users.setdefault((frame_key, tool), []).extend(
                            [user_id[edx]] * len(frame[f"{tool}_details"]))
        for frame_key, frame in output.items():
            if not frame_key.startswith("frame"):
                continue
            for tool in keys:
                if f"{tool}_cluster_labels" not in frame or f"{tool}_details" not in frame:
                    continue
                labels = np.array(frame[f"{tool}_cluster_labels"])
                rows = frame[f"{tool}_details"]
                users = np.array(per_frame_users.get((frame_key, tool), []), dtype=object)
                for label in np.unique(labels):
                    if label < 0:
                        continue
                    idx = np.flatnonzero(labels == label)
                    reduced = []
                    names = details[tool]
                    for ddx in range(len(rows[idx[0]]) if len(idx) else 0):
                        name = names[ddx] if ddx < len(names) else None
                        if name is None:
                            reduced.append("No reducer for this subtask type")
                        else:
                            reduced.append(_reducer(name)([rows[i][ddx] for i in idx], user_id=users[idx]))
                    frame.setdefault(f"{tool}_clusters_details", []).append(reduced)
    elif all(v >= (2,) for v in versions):
        per_frame_users = {}
        for edx, extract in enumerate(extracts):
            for frame_key, frame in extract.items():
                if not frame_key.startswith("frame"):
                    continue
                for key in details:
                    merged = output.setdefault(frame_key, {}).setdefault(key, [])
                    if key in frame:
                        merged += frame[key]
                        per_frame_users.setdefault((frame_key, key), []).extend([user_id[edx]] * len(frame[key]))
        for frame_key, frame in output.items():
            if not frame_key.startswith("frame"):
                continue
            tools = sorted({"_".join(k.split("_")[:2]) for k in frame})
            for tool in tools:
                if f"{tool}_cluster_labels" not in frame:
                    continue
                labels = np.array(frame[f"{tool}_cluster_labels"])
                for key in (k for k in details if k.startswith(tool + "_")):
                    rows = _object_rows(frame[key])
                    users = np.array(per_frame_users.get((frame_key, key), []), dtype=object)
                    reduce = _reducer(details[key])
                    frame[f"{key}_clusters"] = [reduce(list(rows[labels == label]), user_id=users[labels == label])
                                                for label in np.unique(labels) if label > -1]
        output["classifier_version"] = ".".join(str(p) for p in max(versions)) + (".0" if len(max(versions)) == 1 else "")
