"""galforge: galaxy images from volunteers' drawings to fitted photometric models, fast."""
from . import blend, conversions, io, psf
from .components import PointSource, Sersic, Sky
from .convolve import Convolver, convolve
from .errors import GalforgeError, GalforgeValueError
from .model import Model
from .polygons import intersection_area, iou_distance_matrix, polygon_area
from .sersic import render_sersic, sersic_bn, sersic_total_flux

__version__ = "0.1.0"

__all__ = ["Convolver", "blend", "GalforgeError", "GalforgeValueError", "Model", "PointSource", "Sersic", "Sky",
           "conversions", "convolve", "intersection_area", "io", "iou_distance_matrix", "polygon_area", "psf",
           "render_sersic", "sersic_bn", "sersic_total_flux", "__version__"]
