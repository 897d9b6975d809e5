"""galforge: galaxy images from volunteers' drawings to fitted photometric models, fast."""
from . import conversions, io, psf
from .components import PointSource, Sersic, Sky
from .convolve import Convolver, convolve
from .errors import GalforgeError, GalforgeValueError
from .model import Model
from .polygons import intersection_area, iou_distance_matrix, polygon_area
from .sersic import render_sersic, sersic_bn, sersic_total_flux

__version__ = "0.1.0"

__all__ = ["Convolver", "GalforgeError", "GalforgeValueError", "Model", "PointSource", "Sersic", "Sky",
           "conversions", "convolve", "intersection_area", "io", "iou_distance_matrix", "polygon_area", "psf",
           "render_sersic", "sersic_bn", "sersic_total_flux", "__version__"]


def __getattr__(name):
    """``galforge.infer`` is imported on first use: it needs the ``infer`` extra (scipy, onnxruntime)."""
    if name == "infer":
        import importlib

        return importlib.import_module(".infer", __name__)
    raise AttributeError(f"module 'galforge' has no attribute {name!r}")
