"""Drawing shapes: their parameters, symmetry normalisation, the angle-aware distance, the mean
angle and their outlines as polygons (reference/panoptes.md §1.1, §2.1, §2.2, §2.4).

Angles are in degrees as drawn on the Zooniverse front end. Angle-aware shapes have the angle as
their last parameter; the distance between two marks is the Euclidean norm of the parameter
differences with the angle difference taken modulo ``360 / factor`` (factor 2 for ellipses and
rotated rectangles, 3 for triangles when ``symmetric``).
"""
import math

import numpy as np

SHAPE_LUT = {
    "circle": ["x", "y", "r"],
    "column": ["x", "width"],
    "ellipse": ["x", "y", "rx", "ry", "angle"],
    "fullWidthLine": ["y"],
    "fullHeightLine": ["x"],
    "line": ["x1", "y1", "x2", "y2"],
    "point": ["x", "y"],
    "rectangle": ["x", "y", "width", "height"],
    "rotateRectangle": ["x", "y", "width", "height", "angle"],
    "triangle": ["x", "y", "r", "angle"],
    "fan": ["x", "y", "radius", "spread", "rotation"],
    "temporalRotateRectangle": ["x_center", "y_center", "width", "height", "angle", "displayTime"],
    "temporalPoint": ["x", "y", "displayTime"],
}

ANGLE_FACTOR = {"ellipse": 1, "rotateRectangle": 1, "triangle": 1, "fan": 1}
ANGLE_FACTOR_SYMMETRIC = {"ellipse": 2, "rotateRectangle": 2, "triangle": 3, "fan": 1}
IOU_SHAPES = ("rectangle", "rotateRectangle", "temporalRotateRectangle", "circle", "ellipse", "triangle")


def _ellipse(p):
    x, y, rx, ry, a = p
    return (x, y, rx, ry, a % 180) if ry <= rx else (x, y, ry, rx, (a - 90) % 180)


def _line(p):
    x1, y1, x2, y2 = p
    if x1 < x2 or (x1 == x2 and y1 < y2):
        return (x1, y1, x2, y2)
    return (x2, y2, x1, y1)


def _rotate_rectangle(p):
    x, y, w, h, a = p
    if h <= w:
        return (x, y, w, h, a % 180)
    shift = (h - w) / 2  # same centre once width and height are swapped
    return (x - shift, y + shift, h, w, (a - 90) % 180)


def _triangle(p):
    x, y, r, a = p
    return (x, y, r, a % 120)


NORMALIZE = {"ellipse": _ellipse, "line": _line, "rotateRectangle": _rotate_rectangle, "triangle": _triangle}


def angle_factor(shape, symmetric):
    """The angle's symmetry factor of ``shape`` (None when it has no angle)."""
    return (ANGLE_FACTOR_SYMMETRIC if symmetric else ANGLE_FACTOR).get(shape)


def angle_distance(a, b, factor=1):
    """Circular distance of angles (degrees, arrays broadcast) modulo ``360 / factor``."""
    period = 360 / factor
    d = np.abs(np.mod(a, period) - np.mod(b, period))
    return np.minimum(period - d, d)


def angle_distance_matrix(loc, factor):
    """(n, n) distances of the rows of ``loc`` (float array) with the last column an angle."""
    diff = loc[:, None, :-1] - loc[None, :, :-1]
    ang = angle_distance(loc[:, None, -1], loc[None, :, -1], factor)
    return np.sqrt(np.einsum("ijk,ijk->ij", diff, diff) + ang * ang)


def mean_angle(theta, factor=1):
    """Least-squares circular mean of ``theta`` (degrees) in ``[0, 360 / factor)``, rounded to 1e-3.

    Same bounded 1-D minimisation (scipy ``minimize_scalar``, method 'Bounded') on the same sum of
    squares as the reference, so a widely spread set lands where the reference lands.
    """
    from scipy.optimize import minimize_scalar

    period = 360 / factor
    theta = np.asarray(theta, dtype=float)
    mod_theta = np.mod(theta, period)

    def cost(x):
        d = np.abs(x % period - mod_theta)
        return sum((np.minimum(period - d, d) ** 2).tolist())

    m = minimize_scalar(cost, bounds=(0, period), method="Bounded")
    return float(np.round(m.x, 3) % period)


def outline(params, shape):
    """The outline of an IoU shape as a shapely Polygon (ellipses and circles as 64-gons).

    Conventions of the reference: rectangles from their lower-left corner; ``rotateRectangle``
    rotated by ``+angle`` about its centre; ``ellipse`` scaled from a unit circle then rotated by
    ``-angle``; ``triangle`` of circumradius r pointing to -y, rotated by ``-angle`` about its centre.
    """
    import shapely
    from shapely import affinity

    if shape == "rectangle":
        x, y, w, h = params
        return shapely.box(x, y, x + w, y + h)
    if shape in ("rotateRectangle", "temporalRotateRectangle"):
        x, y, w, h, a = params[:5]
        if shape == "temporalRotateRectangle":
            x, y = x - 0.5 * w, y - 0.5 * h
        return affinity.rotate(shapely.box(x, y, x + w, y + h), a)
    if shape == "circle":
        x, y, r = params
        return shapely.Point(x, y).buffer(r)
    if shape == "ellipse":
        x, y, rx, ry, a = params
        return affinity.rotate(affinity.scale(shapely.Point(x, y).buffer(1), rx, ry), -a)
    if shape == "triangle":
        x, y, r, a = params
        h = r * math.sqrt(3) / 2
        tri = shapely.Polygon([(0, -r), (h, r / 2), (-h, r / 2)])
        return affinity.translate(affinity.rotate(tri, -a, origin=(0, 0)), xoff=x, yoff=y)
    raise ValueError(f"shape {shape!r} has no IoU outline: expected one of {IOU_SHAPES}")
