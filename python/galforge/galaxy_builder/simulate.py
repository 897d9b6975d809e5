"""Simulated Galaxy Builder volunteers: export rows whose drawings scatter around a known model.

The exact inverse of :mod:`.parse` (so parsing a drawing without scatter returns the model), with
the crowd's habits of the real project (gzb_aggregation.md §5): centres scattered by ``centre_sd``
px, sizes by a log-normal ``size_sd`` around ``disk_bias`` x the true disk (volunteers draw disks
too large), q by ``q_sd``, angles by ``pa_sd`` rad; a fraction ``outliers`` of wild drawings (3x
too large or too small and offset); a spurious bulge with probability ``bulge_rate`` when the model
has none; each component of the model drawn with probability ``draw_rate``. Spiral arms (log
spirals on the true disk, as :func:`.spirals.spiral_points`) are traced with their pitch scattered
by ``pitch_sd`` degrees, their ends by ``extent_sd`` rad and every point by ``trace_sd`` px.
"""
import json
import math

import numpy as np

from .parse import DRAWING_SIZE, Transform
from .spirals import spiral_points


def _ellipse_mark(p, transform, size_factor):
    """galforge dict -> ellipse mark (display px, degrees) that parses back to p (r_e x size_factor)."""
    u, v = transform.to_display(p["x0"], p["y0"])
    major = 3.0 * p["r_e"] * size_factor / transform.scale
    return {"x": float(u), "y": float(v), "rx": major, "ry": major * p["q"], "angle": math.degrees(p["pa"]) - 90.0,
            "tool": 0}


def _bar_mark(p, transform):
    """galforge dict -> rotated-rectangle mark {x, y (top-left), width, height, angle} parsing back to p."""
    u, v = transform.to_display(p["x0"], p["y0"])
    w = 3.0 * p["r_e"] / transform.scale
    h = w * p["q"]
    return {"x": float(u - w / 2), "y": float(v - h / 2), "width": w, "height": h,
            "angle": 90.0 - math.degrees(p["pa"]), "tool": 0}


def drawing_annotation(components, width, arms=(), drawing_size=DRAWING_SIZE, half_pixel=True):
    """The annotation (list of 4 task dicts) whose parse gives ``components`` ({kind: galforge
    Sersic keywords} for disk/bulge/bar, any subset) and ``arms`` ((k, 2) data-px polylines);
    sliders carry ie (x 1.6), n and c."""
    t = Transform(width, drawing_size, half_pixel)
    tasks = []
    for kind in ("disk", "bulge", "bar"):
        p = components.get(kind)
        marks = [] if p is None else [_bar_mark(p, t) if kind == "bar" else
                                      _ellipse_mark(p, t, 0.5 if kind == "disk" else 1.0)]
        sliders = [{"task": "scaleSlider", "value": "1"},
                   {"task": "intensity", "value": 0.2 if p is None else 1.6 * p["ie"]}]
        if kind != "disk":
            sliders.append({"task": "sersicSlider", "value": 1.0 if p is None else p["n"]})
        if kind == "bar":
            sliders.append({"task": "shapeSlider", "value": 2.0 if p is None else p["c"]})
        tasks.append({"task": kind, "value": [{"task": "draw", "value": marks}] + sliders})
    marks = [{"tool": 0, "points": [{"x": float(u), "y": float(v)} for u, v in zip(*t.to_display(a[:, 0], a[:, 1]))],
              "details": [{"value": 0.5}, {"value": "1"}]} for a in arms]
    tasks.append({"task": "spiral", "value": [{"task": "drawSpiral", "value": marks},
                                              {"task": "falloffSlider", "value": "1"}]})
    return tasks


def simulate_classifications(components, width, arms=(), n_volunteers=30, seed=0, centre_sd=1.0, size_sd=0.12,
                             disk_bias=1.3, q_sd=0.04, pa_sd=0.06, outliers=0.1, bulge_rate=0.4, draw_rate=0.8,
                             pitch_sd=2.0, extent_sd=0.15, trace_sd=0.3):
    """``n_volunteers`` export rows ({classification_id, annotations JSON}) drawn around ``components``
    and ``arms`` (dicts A px, phi degrees, t_min, t_max rad, relative to the true disk)."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_volunteers):
        drawn = {}
        for kind, p in components.items():
            if kind != "disk" and rng.random() > draw_rate:
                continue
            size = math.exp(rng.normal(0.0, size_sd)) * (disk_bias if kind == "disk" else 1.0)
            offset = rng.normal(0.0, centre_sd, 2)
            if rng.random() < outliers:
                size *= rng.choice([0.3, 3.0])
                offset += rng.normal(0.0, 0.1 * width, 2)
            q = min(max(p["q"] + rng.normal(0.0, q_sd), 0.05), 1.0)
            drawn[kind] = {**p, "x0": p["x0"] + offset[0], "y0": p["y0"] + offset[1], "r_e": p["r_e"] * size,
                           "q": q, "pa": p["pa"] + rng.normal(0.0, pa_sd)}
        if "bulge" not in components and rng.random() < bulge_rate:
            disk = components["disk"]
            jitter = rng.normal(0.0, 0.2 * centre_sd, 2)  # drawn carefully on the bright centre
            drawn["bulge"] = {"x0": disk["x0"] + jitter[0], "y0": disk["y0"] + jitter[1],
                              "ie": disk["ie"], "r_e": 0.1 * disk["r_e"], "n": 1.0, "q": 0.8, "pa": 0.0, "c": 2.0}
        disk = components["disk"]
        traced = []
        for arm in arms:
            if rng.random() > draw_rate:
                continue
            pts = spiral_points(arm["A"] * math.exp(rng.normal(0.0, 0.05)), arm["phi"] + rng.normal(0.0, pitch_sd),
                                arm["t_min"] + rng.normal(0.0, extent_sd), arm["t_max"] + rng.normal(0.0, extent_sd),
                                (disk["x0"], disk["y0"]), disk["pa"], disk["q"], n=40)
            traced.append(pts + rng.normal(0.0, trace_sd, pts.shape))
        rows.append({"classification_id": k, "annotations": json.dumps(drawing_annotation(drawn, width, traced))})
    return rows


__all__ = ["drawing_annotation", "simulate_classifications"]
