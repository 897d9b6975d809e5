"""The product folder of ``produce``, ``concatenate`` and ``convert`` (one folder, train_* and test_* files).

``produce`` writes, per split (prefix ``train`` or ``test``), with layout
  - ``stacked`` (default): ``{prefix}_stamps.npy`` (n, k, ny, nx) float32 isolated stamps and
    ``{prefix}_segmaps.npy`` (n, k, ny, nx) uint8 segmaps (both channels first);
  - ``candels``: candels-blender's per-blend files ``{prefix}_blend_{idx:06d}.npy`` (ny, nx, k)
    float32 and ``{prefix}_blend_seg_{idx:06d}.npy`` (k, ny, nx) uint8;
and ``{prefix}_catalogue.csv`` (columns in ``produce.py``).
``concatenate`` writes ``{prefix}_blends`` and ``{prefix}_{method}`` (``recipes.py``) as ``.npy``,
``.fits`` (the array in the primary HDU) or ``.h5`` (one dataset named after the product; needs
h5py). ``convert`` writes ``{prefix}_flux.npy`` (n, k) float64, columns g1..gk.
"""
import csv
import glob
import os

import numpy as np

from ..errors import GalforgeFileNotFoundError, GalforgeValueError
from .recipes import METHODS, blend_images, make_target

PREFIXES = ("train", "test")
LAYOUTS = ("stacked", "candels")
FORMATS = ("npy", "fits", "hdf5")
IMG_FILE = "{prefix}_blend_{idx:06d}.npy"
SEG_FILE = "{prefix}_blend_seg_{idx:06d}.npy"
CHUNK = 256


def _text(value):
    if isinstance(value, (float, np.floating)):
        return format(float(value), ".10g")
    return str(value)


def write_catalogue(path, catalogue):
    """Write a dict of equal-length columns as CSV (floats with 10 significant digits)."""
    names = list(catalogue)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(names)
        for row in zip(*(catalogue[c] for c in names)):
            out.writerow([_text(v) for v in row])


def read_catalogue(path):
    """Read a CSV catalogue into a dict of numpy columns (numbers where every value parses)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise GalforgeFileNotFoundError(f"{path!r}: no such file")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        rows = list(reader)
    if header is None:
        raise GalforgeValueError(f"{path!r} is empty: expected a CSV header")
    cols = {}
    for i, name in enumerate(header):
        values = [r[i] for r in rows]
        try:
            cols[name] = np.array(values, dtype=np.float64)
        except ValueError:
            cols[name] = np.array(values, dtype=str)
    return cols


class StackedWriter:
    """``produce`` writer of the ``stacked`` layout (memory-mapped .npy files, written chunk by chunk)."""

    def __init__(self, outdir):
        self.outdir = os.fspath(outdir)
        self.arrays = {}

    def open(self, split, n, shape, k):
        path = os.path.join(self.outdir, f"{split}_")
        self.arrays[split] = (np.lib.format.open_memmap(path + "stamps.npy", "w+", np.float32, (n, k, *shape)),
                              np.lib.format.open_memmap(path + "segmaps.npy", "w+", np.uint8, (n, k, *shape)))

    def buffers(self, split, start, count):
        a, b = self.arrays[split]
        return a[start:start + count], b[start:start + count]

    def commit(self, split, start, stamps, segmaps):
        pass

    def close(self, split, catalogue):
        del self.arrays[split]  # unmapped; the kernel writes the pages back (no msync, as np.save)
        write_catalogue(os.path.join(self.outdir, f"{split}_catalogue.csv"), catalogue)


class CandelsWriter(StackedWriter):
    """``produce`` writer of candels-blender's layout (two .npy files per blend)."""

    def open(self, split, n, shape, k):
        self.shape = (k, *shape)

    def buffers(self, split, start, count):
        return np.empty((count, *self.shape), np.float32), np.empty((count, *self.shape), np.uint8)

    def commit(self, split, start, stamps, segmaps):
        for i, (img, seg) in enumerate(zip(stamps, segmaps)):
            np.save(os.path.join(self.outdir, IMG_FILE.format(prefix=split, idx=start + i)), np.moveaxis(img, 0, -1))
            np.save(os.path.join(self.outdir, SEG_FILE.format(prefix=split, idx=start + i)), seg)

    def close(self, split, catalogue):
        write_catalogue(os.path.join(self.outdir, f"{split}_catalogue.csv"), catalogue)


def make_writer(outdir, layout="stacked"):
    """The writer of ``layout`` (one of ``LAYOUTS``) into the folder ``outdir`` (created if missing)."""
    if layout not in LAYOUTS:
        raise GalforgeValueError(f"layout = {layout!r} is invalid: expected one of {LAYOUTS}")
    try:
        os.makedirs(os.fspath(outdir), exist_ok=True)
    except OSError as exc:
        raise GalforgeValueError(f"cannot create the output folder {os.fspath(outdir)!r}: {exc.strerror or exc}") from exc
    return (StackedWriter if layout == "stacked" else CandelsWriter)(outdir)


def _per_blend_files(directory, prefix):
    return sorted(glob.glob(os.path.join(directory, f"{prefix}_blend_seg_*.npy")))


def load_products(directory, prefix):
    """(stamps, segmaps), both (n, k, ny, nx), of a split in either layout (stacked: memory-mapped)."""
    directory = os.fspath(directory)
    stacked = os.path.join(directory, f"{prefix}_stamps.npy")
    if os.path.isfile(stacked):
        return np.load(stacked, mmap_mode="r"), np.load(os.path.join(directory, f"{prefix}_segmaps.npy"), mmap_mode="r")
    n = len(_per_blend_files(directory, prefix))
    if n == 0:
        raise GalforgeFileNotFoundError(f"{directory!r} holds no {prefix} products ({prefix}_stamps.npy or "
                                        f"{prefix}_blend_seg_*.npy)")
    try:
        stamps = np.stack([np.load(os.path.join(directory, IMG_FILE.format(prefix=prefix, idx=i))) for i in range(n)])
        stamps = np.ascontiguousarray(np.moveaxis(stamps, -1, 1)) if stamps.ndim == 4 else stamps
        segmaps = np.stack([np.load(os.path.join(directory, SEG_FILE.format(prefix=prefix, idx=i))) for i in range(n)])
    except FileNotFoundError as exc:
        raise GalforgeFileNotFoundError(f"{directory!r}: the per-blend files are not numbered 0..{n - 1}: {exc}") from exc
    if stamps.shape != segmaps.shape or stamps.ndim != 4:
        raise GalforgeValueError(f"{directory!r}: per-blend files of shapes {stamps.shape[1:]} and {segmaps.shape[1:]} "
                                 f"are not (ny, nx, k) and (k, ny, nx)")
    return stamps, segmaps


def _splits(directory):
    found = [p for p in PREFIXES if os.path.isfile(os.path.join(directory, f"{p}_stamps.npy"))
             or _per_blend_files(directory, p)]
    if not found:
        raise GalforgeFileNotFoundError(f"{directory!r} holds no products of `produce` (train_*/test_* files)")
    return found


def write_array(path_stem, name, array, fmt="npy", overwrite=True):
    """Write ``array`` to ``path_stem`` + .npy / .fits / .h5 (dataset ``name``); returns the path."""
    if fmt not in FORMATS:
        raise GalforgeValueError(f"format = {fmt!r} is invalid: expected one of {FORMATS}")
    path = path_stem + EXTENSIONS[fmt]
    if fmt == "npy":
        np.save(path, array)
    elif fmt == "fits":
        from astropy.io import fits

        hdu = fits.PrimaryHDU(np.ascontiguousarray(array))
        hdu.header["EXTNAME"] = name.upper()
        hdu.writeto(path, overwrite=overwrite)
    elif fmt == "hdf5":
        try:
            import h5py
        except ImportError:
            raise GalforgeValueError("HDF5 output needs h5py: pip install galforge[hdf5]") from None
        with h5py.File(path, "w") as f:
            f.create_dataset(name, data=array, compression="gzip", compression_opts=1)
    return path


EXTENSIONS = {"npy": ".npy", "fits": ".fits", "hdf5": ".h5"}


def concatenate(directory, method, fmt="npy", delete=False, overwrite=False):
    """Write each split's blend images and ``method`` target (``recipes.METHODS``); returns the paths.

    As candels-blender, an existing output is kept unless ``overwrite``; ``delete`` removes the
    isolated-stamp files of ``produce`` afterwards.
    """
    directory = os.fspath(directory)
    if method not in METHODS:
        raise GalforgeValueError(f"method = {method!r} is invalid: expected one of {METHODS}")
    if fmt not in FORMATS:
        raise GalforgeValueError(f"format = {fmt!r} is invalid: expected one of {FORMATS}")
    if not os.path.isdir(directory):
        raise GalforgeFileNotFoundError(f"{directory!r}: no such folder")
    written = []
    for prefix in _splits(directory):
        stamps, segmaps = load_products(directory, prefix)
        for name in ("blends", method):
            stem = os.path.join(directory, f"{prefix}_{name}")
            if os.path.exists(stem + EXTENSIONS[fmt]) and not overwrite:
                continue
            out = None
            for i in range(0, len(stamps), CHUNK):
                part = blend_images(stamps[i:i + CHUNK]) if name == "blends" else \
                    make_target(method, stamps[i:i + CHUNK], segmaps[i:i + CHUNK])
                if out is None:  # npy: written in place, chunk by chunk; other formats: in memory first
                    shape = (len(stamps), *part.shape[1:])
                    out = np.lib.format.open_memmap(stem + ".npy", "w+", part.dtype, shape) if fmt == "npy" \
                        else np.empty(shape, part.dtype)
                out[i:i + len(part)] = part
            if fmt == "npy":
                written.append(stem + ".npy")
            else:
                written.append(write_array(stem, name, out, fmt, overwrite=True))
            del out
        del stamps, segmaps
        if delete:
            for path in [os.path.join(directory, f"{prefix}_{n}.npy") for n in ("stamps", "segmaps")] + \
                    glob.glob(os.path.join(directory, f"{prefix}_blend_*.npy")):
                if os.path.isfile(path):
                    os.remove(path)
    return written


def mag_to_flux(mag, zeropoint=25.96):
    """flux = 10^(-0.4 (mag - zeropoint)) (flux 1 at the zero-point magnitude)."""
    return 10.0 ** (-0.4 * (np.asarray(mag, dtype=np.float64) - zeropoint))


def convert(directory, zeropoint=25.96):
    """Write ``{prefix}_flux.npy`` (n, k) float64 from the catalogues' g1_mag..gk_mag; returns the paths."""
    directory = os.fspath(directory)
    if isinstance(zeropoint, bool) or not np.isfinite(np.float64(zeropoint)):
        raise GalforgeValueError(f"zeropoint = {zeropoint!r} is invalid: expected a finite number")
    paths = [os.path.join(directory, f"{p}_catalogue.csv") for p in PREFIXES]
    if not any(os.path.isfile(p) for p in paths):
        raise GalforgeFileNotFoundError(f"{directory!r} holds no train_catalogue.csv or test_catalogue.csv")
    written = []
    for prefix, path in zip(PREFIXES, paths):
        if not os.path.isfile(path):
            continue
        cat = read_catalogue(path)
        cols = [c for c in (f"g{j}_mag" for j in range(1, len(cat) + 1)) if c in cat]
        if not cols:
            raise GalforgeValueError(f"{path!r} has no g1_mag column")
        bad = [c for c in cols if cat[c].dtype.kind != "f"]
        if bad:
            raise GalforgeValueError(f"{path!r}: column {bad[0]} holds non-numeric magnitudes")
        flux = mag_to_flux(np.stack([cat[c] for c in cols], axis=-1).reshape(-1, len(cols)), float(zeropoint))
        out = os.path.join(directory, f"{prefix}_flux.npy")
        np.save(out, flux)
        written.append(out)
    return written


__all__ = ["CandelsWriter", "FORMATS", "LAYOUTS", "StackedWriter", "concatenate", "convert", "load_products",
           "mag_to_flux", "make_writer", "read_catalogue", "write_array", "write_catalogue"]
