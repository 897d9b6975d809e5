"""FITS input and output (through astropy): images, and models with their components and PSF.

A model file written by ``write_model`` holds
  - the primary HDU: the rendered model image (or the image given), float64 (ny, nx);
  - a binary table ``COMPONENTS``: one row per component, a ``kind`` column plus one column per
    parameter (the union over the kinds present; NaN, or an empty string, where a kind has no such
    parameter), and the model settings in its header (``MODEL_NY``, ``MODEL_NX``, ``OVERSAMP``
    (0 = adaptive), ``TOLERANC``, ``MEXTEND``);
  - an image HDU ``PSF`` when the model has one (the PSF as the model uses it, i.e. normalised).

``read_model`` rebuilds the ``galforge.Model`` from such a file.
"""
import math
import numbers
import os

import numpy as np

from ._checks import image2d
from .components import component_from_dict
from .errors import GalforgeFileNotFoundError, GalforgeValueError
from .model import Model

COMPONENTS_EXTNAME = "COMPONENTS"
PSF_EXTNAME = "PSF"
FORMAT_VERSION = 1


def _fits():
    from astropy.io import fits  # astropy is a required dependency; imported here to keep `import galforge` light

    return fits


def _version():
    from . import __version__

    return __version__


def _open(path):
    fits = _fits()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise GalforgeFileNotFoundError(f"{path!r}: no such file")
    if os.path.isdir(path):
        raise GalforgeValueError(f"{path!r} is a directory, not a FITS file")
    try:
        return fits.open(path, memmap=False)
    except OSError as exc:
        raise GalforgeValueError(f"{path!r} cannot be read as FITS: {exc}") from exc


def _select_hdu(hdul, path, hdu):
    try:
        return hdul[hdu]
    except (IndexError, KeyError) as exc:
        names = [f"{i}:{h.name or '(primary)'}" for i, h in enumerate(hdul)]
        raise GalforgeValueError(f"{path!r} has no HDU {hdu!r} (HDUs: {', '.join(names)})") from exc


def read_image(path, hdu=0, header=False):
    """Read a 2-d image from a FITS file as a C-contiguous float64 array.

    hdu: index or EXTNAME of the HDU. Leading axes of length 1 (e.g. (1, ny, nx)) are dropped.
    header: also return the HDU's ``astropy.io.fits.Header`` (as ``(image, header)``).
    Scaled integer data (BZERO/BSCALE) is returned scaled; blank pixels read as NaN.
    """
    fits = _fits()
    path = os.fspath(path)
    with _open(path) as hdul:
        h = _select_hdu(hdul, path, hdu)
        where = f"{path!r} HDU {hdu!r}"
        if not isinstance(h, (fits.PrimaryHDU, fits.ImageHDU, fits.CompImageHDU)):
            raise GalforgeValueError(f"{where} is a {type(h).__name__}, not an image")
        data = h.data
        if data is None:
            raise GalforgeValueError(f"{where} holds no data (an empty HDU), not an image")
        while data.ndim > 2 and data.shape[0] == 1:
            data = data[0]
        if data.ndim != 2:
            raise GalforgeValueError(f"{where} has shape {h.data.shape}: expected a 2-d image")
        image = np.array(data, dtype=np.float64, order="C")  # a native-endian copy, independent of the file
        hdr = h.header.copy() if header else None
    return (image, hdr) if header else image


def _header(header):
    fits = _fits()
    if header is None:
        return fits.Header()
    if isinstance(header, fits.Header):
        return header.copy()
    try:
        cards = [(k, *v) if isinstance(v, tuple) else (k, v) for k, v in dict(header).items()]
        return fits.Header(cards)
    except (TypeError, ValueError) as exc:
        raise GalforgeValueError(f"header = {header!r} is invalid: expected an astropy Header or a mapping "
                                 f"of FITS keywords to values ({exc})") from exc


def write_image(path, image, header=None, overwrite=False):
    """Write ``image`` (2-d, converted to float64) as the primary HDU of a new FITS file.

    header: an ``astropy.io.fits.Header`` or a mapping {keyword: value or (value, comment)}.
    overwrite: replace an existing file (otherwise an existing file is an error).
    """
    fits = _fits()
    image = image2d("image", image, allow_nonfinite=True)
    hdu = fits.PrimaryHDU(data=image, header=_header(header))
    hdu.writeto(os.fspath(path), overwrite=overwrite)


def _component_table(components):
    """Columns (name -> (kind 'f' or 's', values)) for the components, in first-seen order."""
    dicts = [c.to_dict() for c in components]
    columns = {"kind": ("s", [d["kind"] for d in dicts])}
    for i, d in enumerate(dicts):
        for name, value in d.items():
            if name == "kind":
                continue
            if isinstance(value, str):
                kind = "s"
            elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                kind = "f"
            else:
                raise GalforgeValueError(f"component {i} ({d['kind']}) parameter {name} = {value!r} cannot be "
                                         "written to FITS: expected a number or a string")
            if name not in columns:
                empty = "" if kind == "s" else math.nan
                columns[name] = (kind, [empty] * len(dicts))
            elif columns[name][0] != kind:
                raise GalforgeValueError(f"parameter {name} is a number in one component and a string in another")
            columns[name][1][i] = value
    return columns


def write_model(path, model, image=None, overwrite=False):
    """Write ``model`` to a FITS file: the image (``model.render()`` unless ``image`` is given) as the
    primary HDU, the components as the binary table ``COMPONENTS``, the PSF as the image HDU ``PSF``.
    """
    fits = _fits()
    if not isinstance(model, Model):
        raise GalforgeValueError(f"model = {model!r} is invalid: expected a galforge.Model")
    image = model.render() if image is None else image2d("image", image, allow_nonfinite=True)
    if image.shape != model.shape:
        raise GalforgeValueError(f"image shape {image.shape} differs from the model shape {model.shape}")

    primary = fits.PrimaryHDU(data=image)
    primary.header["CREATOR"] = (f"galforge {_version()}", "software that wrote this file")
    primary.header["CONTENT"] = ("galforge model", "image; components in HDU COMPONENTS")

    cols = []
    for name, (kind, values) in _component_table(model.components).items():
        if kind == "s":
            width = max([1] + [len(v) for v in values])
            cols.append(fits.Column(name=name, format=f"{width}A", array=np.array(values, dtype=f"U{width}")))
        else:
            cols.append(fits.Column(name=name, format="D", array=np.array(values, dtype=np.float64)))
    table = fits.BinTableHDU.from_columns(cols, name=COMPONENTS_EXTNAME)
    hdr = table.header
    hdr["GFFORMAT"] = (FORMAT_VERSION, "galforge model file format version")
    hdr["MODEL_NY"] = (model.shape[0], "model image rows")
    hdr["MODEL_NX"] = (model.shape[1], "model image columns")
    hdr["OVERSAMP"] = (0 if model.oversample is None else model.oversample,
                       "sub-pixel sampling k (0 = adaptive to TOLERANC)")
    hdr["TOLERANC"] = (float(model.tolerance), "relative pixel-integration tolerance")
    hdr["MEXTEND"] = (model.extend, "render beyond the frame by the PSF half-width")
    hdr["NCOMP"] = (len(model.components), "number of components")

    hdus = [primary, table]
    if model.psf is not None:
        hdus.append(fits.ImageHDU(data=model.psf, name=PSF_EXTNAME))
    fits.HDUList(hdus).writeto(os.fspath(path), overwrite=overwrite)


def _header_value(hdr, key, path, types):
    if key not in hdr:
        raise GalforgeValueError(f"{path!r} HDU {COMPONENTS_EXTNAME} lacks the header keyword {key}")
    value = hdr[key]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise GalforgeValueError(f"{path!r} HDU {COMPONENTS_EXTNAME} keyword {key} = {value!r} has the wrong type")
    return value


def read_model(path, threads=1):
    """Rebuild the ``galforge.Model`` written by ``write_model`` (components, PSF and settings)."""
    fits = _fits()
    path = os.fspath(path)
    with _open(path) as hdul:
        names = [h.name for h in hdul]
        if COMPONENTS_EXTNAME not in names:
            raise GalforgeValueError(f"{path!r} has no {COMPONENTS_EXTNAME} HDU: not a galforge model file "
                                     f"(HDUs: {names})")
        table = hdul[COMPONENTS_EXTNAME]
        if not isinstance(table, fits.BinTableHDU):
            raise GalforgeValueError(f"{path!r} HDU {COMPONENTS_EXTNAME} is a {type(table).__name__}, "
                                     "not a binary table")
        hdr = table.header
        ny = _header_value(hdr, "MODEL_NY", path, (int,))
        nx = _header_value(hdr, "MODEL_NX", path, (int,))
        oversample = _header_value(hdr, "OVERSAMP", path, (int,))
        tolerance = _header_value(hdr, "TOLERANC", path, (int, float))
        extend = _header_value(hdr, "MEXTEND", path, (bool,))

        columns = table.columns.names
        if "kind" not in columns:
            raise GalforgeValueError(f"{path!r} HDU {COMPONENTS_EXTNAME} has no 'kind' column")
        data = table.data
        components = []
        for i in range(0 if data is None else len(data)):
            d = {}
            for name in columns:
                value = data[name][i]
                if isinstance(value, (str, bytes, np.str_, np.bytes_)):
                    value = value.decode() if isinstance(value, (bytes, np.bytes_)) else str(value)
                    value = value.strip()
                    if value or name == "kind":
                        d[name] = value
                else:
                    value = float(value)
                    if not math.isnan(value):  # NaN marks a parameter this kind does not have
                        d[name] = value
            try:
                components.append(component_from_dict(d))
            except (TypeError, ValueError) as exc:
                raise GalforgeValueError(f"{path!r} HDU {COMPONENTS_EXTNAME} row {i}: {exc}") from exc

        psf = None
        if PSF_EXTNAME in names:
            psf = np.array(hdul[PSF_EXTNAME].data, dtype=np.float64, order="C")

    # The stored PSF is already the one the model used (normalised if it asked for that): keep it as is.
    return Model((ny, nx), components, psf=psf, oversample=None if oversample == 0 else oversample,
                 tolerance=float(tolerance), extend=extend, normalize_psf=False, threads=threads)


__all__ = ["GalforgeFileNotFoundError", "read_image", "read_model", "write_image", "write_model"]
