"""Blends of real or rendered galaxy stamps for deblending: produce, concatenate, convert.

A re-implementation and extension of candels-blender (Boucaud): see ``produce.py`` for the
products and the truth catalogue, ``plan.py`` for the choice of galaxies and shifts,
``masking.py`` for the neighbour masking, ``recipes.py`` for the mask recipes and ``files.py``
for the folder layout. Command line: ``galforge blend produce|concatenate|convert``.
"""
from .files import concatenate, convert, load_products, mag_to_flux, read_catalogue, write_catalogue
from .masking import NeighbourMasks, cross_dilation, masked_stamps
from .plan import apply_cuts, draw_groups, draw_shifts, shift_range, split_galaxies
from .produce import BlendSet, ProduceResult, produce, shift_image
from .recipes import METHODS, blend_images, bogg_masks, gg_masks, make_target, ogg_masks, single_images
from .stamps import GALTYPES, StampSet, load_stamps, read_candels, read_stamps_fits, write_stamps_fits
from .synthetic import synthetic_stamps

__all__ = ["BlendSet", "GALTYPES", "METHODS", "NeighbourMasks", "ProduceResult", "StampSet", "apply_cuts",
           "blend_images", "bogg_masks", "concatenate", "convert", "cross_dilation", "draw_groups", "draw_shifts",
           "gg_masks", "load_products", "load_stamps", "mag_to_flux", "make_target", "masked_stamps", "ogg_masks",
           "produce", "read_candels", "read_catalogue", "read_stamps_fits", "shift_image", "shift_range",
           "single_images", "split_galaxies", "synthetic_stamps", "write_catalogue", "write_stamps_fits"]
