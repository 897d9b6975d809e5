"""Volunteers' Galaxy Builder models -> one aggregate model with per-parameter spreads.

Disk, bulge and bar: the largest DBSCAN cluster of the drawings' polygons (IoU distances), reduced
to its Jaccard-median shape (:mod:`.consensus`); spiral arms: clustered polylines fitted with
log spirals relative to the consensus disk (:mod:`.spirals`). Data pixels, galforge conventions.
"""
from dataclasses import dataclass, field

import numpy as np

from ..components import Sersic
from ..errors import GalforgeValueError
from ..model import Model
from .cluster import main_cluster
from .consensus import consensus
from .spirals import aggregate_arms

COMPONENTS = ("disk", "bulge", "bar")
# Parameters a fit of the aggregate holds: the disk is exponential (as the original), c is an
# ellipse except for the bar's boxiness.
_FIXED = {"disk": ("n", "c"), "bulge": ("c",), "bar": ()}
# Smallest spreads used for fit bounds (px, px, relative r_e handled as px, -, rad).
_FLOOR = {"x0": 0.5, "y0": 0.5, "r_e": 0.5, "q": 0.02, "pa": 0.02}
# The original fit's ranges of n and c (rendering.md §1.4, COMPONENT_PARAM_BOUNDS).
_SHAPE_BOUNDS = {"disk": {}, "bulge": {"n": (0.5, 5.0)}, "bar": {"n": (0.3, 5.0), "c": (1.0, 6.0)}}


@dataclass
class Aggregate:
    """The aggregate of one subject.

    params / spreads: {component: {x0, y0, ie, r_e, n, q, pa, c}} galforge Sersic keywords and the
        members' spreads (standard deviations; pa the pi-periodic circular one), for the components
        that have a cluster. members: {component: indices into the drawings of the cluster}.
    n_drawn: {component: how many drawings had it}. arms: log-spiral arm dicts (see ``spirals``).
    """

    params: dict = field(default_factory=dict)
    spreads: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    n_drawn: dict = field(default_factory=dict)
    arms: list = field(default_factory=list)
    arm_labels: np.ndarray = None

    def bounds(self, kind, nsigma=3.0):
        """Fit bounds of a component: each geometric parameter within ``nsigma`` spreads (floored at
        _FLOOR) of the consensus, as the volunteers' Gaussian priors of the original fit; n and c in
        the original ranges."""
        p, s = self.params[kind], self.spreads[kind]
        out = {k: (p[k] - nsigma * max(s[k], floor), p[k] + nsigma * max(s[k], floor)) for k, floor in _FLOOR.items()}
        out["r_e"] = (max(out["r_e"][0], 0.01), out["r_e"][1])
        out["q"] = (max(out["q"][0], 0.02), min(out["q"][1], 1.0))
        return {**out, **_SHAPE_BOUNDS[kind]}

    def components(self, bn="exact", nsigma=3.0):
        """galforge Sersic components (named disk/bulge/bar), bounded by ``bounds(kind, nsigma)``
        (None: the default bounds), with the fit's fixed parameters (disk n and c, bulge c)."""
        return [Sersic(**self.params[k], bn=bn, fixed=_FIXED[k], name=k,
                       bounds=None if nsigma is None else self.bounds(k, nsigma))
                for k in COMPONENTS if k in self.params]

    def model(self, shape, psf=None, bn="exact", nsigma=3.0, **kwargs):
        """A :class:`galforge.Model` of the disk, bulge and bar (spiral arms are not rendered)."""
        return Model(shape, self.components(bn, nsigma), psf=psf, **kwargs)


def aggregate(drawings, width):
    """Aggregate :class:`~.parse.Drawing` s of one subject whose data image is ``width`` px wide.

    Raises GalforgeValueError when no disk cluster exists (no usable disks, or all noise).
    """
    result = Aggregate()
    for kind in COMPONENTS:
        index = [i for i, d in enumerate(drawings) if getattr(d, kind) is not None]
        result.n_drawn[kind] = len(index)
        cluster = main_cluster(kind, [getattr(drawings[i], kind) for i in index])
        if cluster.size == 0:
            continue
        members = [getattr(drawings[index[i]], kind) for i in cluster]
        result.members[kind] = [index[i] for i in cluster]
        result.params[kind], result.spreads[kind] = consensus(kind, members)
    if "disk" not in result.params:
        raise GalforgeValueError(f"no disk cluster: {result.n_drawn['disk']} usable disk drawings of "
                                 f"{len(drawings)} classifications do not agree (DBSCAN found only noise)")
    disk = result.params["disk"]
    result.arms, result.arm_labels = aggregate_arms([a for d in drawings for a in d.arms], (disk["x0"], disk["y0"]),
                                                    disk["pa"], disk["q"], float(width))
    return result


__all__ = ["Aggregate", "aggregate"]
