"""galforge.infer: inclination and rejection of spiral galaxies by a CNN run with onnxruntime."""
from .preprocessing import Settings, measure, preprocess
from .synthetic import axis_ratio, inclination_from_q, render_galaxies

__all__ = ["Settings", "axis_ratio", "inclination_from_q", "measure", "preprocess", "render_galaxies"]
