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

    def components(self, bn="exact"):
        """galforge Sersic components (named disk/bulge/bar) with the fit's default fixed parameters."""
        return [Sersic(**self.params[k], bn=bn, fixed=_FIXED[k], name=k) for k in COMPONENTS if k in self.params]

    def model(self, shape, psf=None, **kwargs):
        """A :class:`galforge.Model` of the disk, bulge and bar (spiral arms are not rendered)."""
        return Model(shape, self.components(), psf=psf, **kwargs)


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
