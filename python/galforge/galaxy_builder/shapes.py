"""Component drawings as polygons for IoU clustering (gzb_aggregation.md §2.1).

As the original code: an ellipse is a 64-gon (shapely's ``Point.buffer(1)``: vertices at angles
2 pi k / 64) with semi-major axis ``r_e`` along (-sin pa, cos pa) and semi-minor ``q r_e``; a bar
is the rectangle of half-length ``r_e`` and half-width ``q r_e``, same orientation. Data pixels.
"""
import numpy as np

N_VERTICES = 64


def _place(u, v, x0, y0, pa):
    """Local (u along the minor axis, v along the major axis) -> data x, y (rotated by pa, shifted)."""
    c, s = np.cos(pa), np.sin(pa)
    return np.column_stack([x0 + c * u - s * v, y0 + s * u + c * v])


def ellipse_polygon(x0, y0, r_e, q, pa, n_vertices=N_VERTICES):
    """(n_vertices, 2) vertices of the ellipse of semi-axes r_e (major), q r_e (minor)."""
    t = 2.0 * np.pi * np.arange(n_vertices) / n_vertices
    return _place(r_e * q * np.cos(t), r_e * np.sin(t), x0, y0, pa)


def box_polygon(x0, y0, r_e, q, pa):
    """(4, 2) vertices of the rectangle of half-length r_e (major) and half-width q r_e."""
    u = np.array([-1.0, 1.0, 1.0, -1.0]) * r_e * q
    v = np.array([-1.0, -1.0, 1.0, 1.0]) * r_e
    return _place(u, v, x0, y0, pa)


def component_polygon(kind, x0, y0, r_e, q, pa, **_):
    """The clustering polygon of a ``disk``/``bulge`` (ellipse) or ``bar`` (box) drawing."""
    return (box_polygon if kind == "bar" else ellipse_polygon)(x0, y0, r_e, q, pa)


__all__ = ["box_polygon", "component_polygon", "ellipse_polygon"]
