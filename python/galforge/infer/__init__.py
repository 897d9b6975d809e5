"""galforge.infer: inclination and rejection of spiral galaxies by a CNN run with onnxruntime.

``Predictor`` needs the ``infer`` extra (onnxruntime); preprocessing and the synthetic galaxies do not.
"""
from .predictor import Predictions, Predictor
from .preprocessing import Settings, measure, preprocess
from .synthetic import axis_ratio, inclination_from_q, render_galaxies

__all__ = ["Predictions", "Predictor", "Settings", "axis_ratio", "inclination_from_q", "measure", "preprocess",
           "render_galaxies"]
