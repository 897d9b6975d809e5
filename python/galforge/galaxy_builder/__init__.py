"""Galaxy Builder (Lingard et al. 2020): volunteers' hand-built galaxy models -> one aggregate model.

    drawings = parse_classifications("classifications.csv", width=135)   # data pixels, radians
    agg = aggregate(drawings, width=135)          # disk/bulge/bar consensus + spreads, spiral arms
    result = galforge.fit(agg.model(image.shape, psf=psf), image, sigma, mask)

``simulate_classifications`` makes export rows of a simulated crowd drawing a known model.

Needs the ``zooniverse`` extra (scipy, shapely, scikit-learn). Reference: reference/gzb_aggregation.md.
"""
from ..zooniverse.skipped import SkippedDataWarning
from .aggregate import Aggregate, aggregate
from .arm_distance import arm_distance, arm_distance_matrix
from .parse import Drawing, Transform, parse_classifications
from .shapes import box_polygon, ellipse_polygon
from .simulate import drawing_annotation, simulate_classifications
from .spirals import aggregate_arms, spiral_points

__all__ = ["Aggregate", "Drawing", "SkippedDataWarning", "Transform", "aggregate", "aggregate_arms", "arm_distance",
           "arm_distance_matrix", "box_polygon", "drawing_annotation", "ellipse_polygon", "parse_classifications",
           "simulate_classifications", "spiral_points"]
