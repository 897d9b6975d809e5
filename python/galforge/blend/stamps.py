"""A set of galaxy stamps: images, segmentation maps and a catalogue, read from or written to disk.

Layouts on disk:
  - candels-blender (a folder): ``candels_img.npy`` (N, ny, nx) float, ``candels_seg.npy`` (N, ny, nx)
    integer segmentation maps (0 = background, one label per source), ``candels_cat.csv`` with at
    least the columns ``ID, mag, radius, galtype`` (``z`` optional, other columns ignored);
  - FITS (one file): image HDUs ``IMAGES`` and ``SEGMAPS`` (cubes, N planes) and a binary table
    ``CATALOG`` with the same columns.
The galaxy of stamp ``i`` is the source whose label is at the central pixel ``[ny // 2, nx // 2]``
(``[64, 64]`` for 128-px stamps, as candels-blender); ``radius`` is in pixels.
"""
import csv
import os

import numpy as np

from ..errors import GalforgeFileNotFoundError, GalforgeValueError

GALTYPES = ("irr", "disk", "sph", "sphd")
CANDELS_FILES = ("candels_img.npy", "candels_seg.npy", "candels_cat.csv")
REQUIRED_COLUMNS = ("ID", "mag", "radius", "galtype")


class StampSet:
    """N galaxy stamps with their segmentation maps and catalogue rows.

    images: (N, ny, nx) real, stored as float32 (candels-blender's type); segmaps: (N, ny, nx)
    non-negative integers (stored as int32); ids, mag, radius (px, > 0), galtype (strings), z
    (NaN when unknown): length-N sequences.
    """

    def __init__(self, images, segmaps, ids, mag, radius, galtype, z=None):
        images, segmaps = np.asarray(images), np.asarray(segmaps)
        if images.ndim != 3 or images.shape[0] == 0:
            raise GalforgeValueError(f"images must be a non-empty (N, ny, nx) stack, got shape {images.shape}")
        if segmaps.shape != images.shape:
            raise GalforgeValueError(f"segmaps shape {segmaps.shape} differs from images shape {images.shape}")
        if not np.issubdtype(images.dtype, np.number) or np.iscomplexobj(images):
            raise GalforgeValueError(f"images must hold real numbers, got dtype {images.dtype}")
        if not np.issubdtype(segmaps.dtype, np.integer) and not np.issubdtype(segmaps.dtype, np.bool_):
            if not (np.issubdtype(segmaps.dtype, np.floating) and np.all(segmaps == np.round(segmaps))):
                raise GalforgeValueError(f"segmaps must hold integer labels, got dtype {segmaps.dtype}")
        n = images.shape[0]
        self.images = np.ascontiguousarray(images, dtype=np.float32)
        if not np.isfinite(self.images).all():
            bad = tuple(int(i) for i in np.argwhere(~np.isfinite(self.images))[0])
            raise GalforgeValueError(f"images has a non-finite value at index {bad}")
        if segmaps.min() < 0:
            raise GalforgeValueError(f"segmaps has a negative label {segmaps.min()}")
        self.segmaps = np.ascontiguousarray(segmaps, dtype=np.int32)
        self.ids = _column("ids", ids, n)
        self.mag = _column("mag", mag, n, float)
        self.radius = _column("radius", radius, n, float)
        self.galtype = _column("galtype", galtype, n, str)
        self.z = np.full(n, np.nan) if z is None else _column("z", z, n, float, allow_nan=True)
        bad = np.flatnonzero(~(self.radius > 0))
        if bad.size:
            raise GalforgeValueError(f"radius must be > 0 (pixels), got {self.radius[bad[0]]!r} for galaxy {bad[0]}")
        cy, cx = self.centre
        empty = np.flatnonzero(self.segmaps[:, cy, cx] == 0)
        if empty.size:
            raise GalforgeValueError(f"segmaps of galaxies {empty[:5].tolist()} have no source at the central "
                                     f"pixel [{cy}, {cx}] (label 0): the galaxy must be at the stamp centre")

    def __len__(self):
        return self.images.shape[0]

    @property
    def shape(self):
        """(ny, nx) of one stamp."""
        return self.images.shape[1:]

    @property
    def centre(self):
        """(row, column) of the central pixel, ``(ny // 2, nx // 2)``."""
        return self.shape[0] // 2, self.shape[1] // 2

    def subset(self, index):
        """A new StampSet with the galaxies ``index`` (an index array or a boolean mask)."""
        return StampSet(self.images[index], self.segmaps[index], self.ids[index], self.mag[index],
                        self.radius[index], self.galtype[index], self.z[index])


def _column(name, values, n, kind=None, allow_nan=False):
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise GalforgeValueError(f"{name} must have one value per stamp ({n}), got shape {arr.shape}")
    if kind is float:
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise GalforgeValueError(f"{name} must hold numbers, got dtype {arr.dtype}") from None
        bad = np.flatnonzero(np.isinf(arr) if allow_nan else ~np.isfinite(arr))
        if bad.size:
            raise GalforgeValueError(f"{name} has a non-finite value {arr[bad[0]]!r} for galaxy {bad[0]}")
    elif kind is str:
        arr = arr.astype(str)
    return arr


def _read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise GalforgeValueError(f"{path!r} holds no catalogue rows")
    missing = [c for c in REQUIRED_COLUMNS if c not in rows[0]]
    if missing:
        raise GalforgeValueError(f"{path!r} lacks the catalogue column(s) {missing}; found {list(rows[0])}")
    return {c: [r[c] for r in rows] for c in rows[0]}


def _ids(values):
    arr = np.asarray(values)
    try:
        return arr.astype(np.int64)
    except ValueError:
        return arr.astype(str)


def read_candels(datapath):
    """Read candels-blender's data folder (``candels_img.npy``, ``candels_seg.npy``, ``candels_cat.csv``)."""
    datapath = os.fspath(datapath)
    paths = [os.path.join(datapath, name) for name in CANDELS_FILES]
    for p in paths:
        if not os.path.isfile(p):
            raise GalforgeFileNotFoundError(f"{p!r}: no such file (a candels-blender data folder holds {CANDELS_FILES})")
    images, segmaps = np.load(paths[0]), np.load(paths[1])
    cat = _read_csv(paths[2])
    if len(cat["ID"]) != len(images):
        raise GalforgeValueError(f"{paths[2]!r} has {len(cat['ID'])} rows but {paths[0]!r} holds {len(images)} stamps")
    return StampSet(images, segmaps, _ids(cat["ID"]), cat["mag"], cat["radius"], cat["galtype"],
                    cat.get("z"))


def write_stamps_fits(path, stamps, overwrite=False):
    """Write a StampSet as one FITS file: ``IMAGES``, ``SEGMAPS`` cubes and a ``CATALOG`` table."""
    from astropy.io import fits
    from astropy.table import Table

    table = Table({"ID": stamps.ids, "mag": stamps.mag, "radius": stamps.radius, "galtype": stamps.galtype,
                   "z": stamps.z})
    hdus = [fits.PrimaryHDU(), fits.ImageHDU(stamps.images, name="IMAGES"),
            fits.ImageHDU(stamps.segmaps, name="SEGMAPS"), fits.table_to_hdu(table)]
    hdus[-1].name = "CATALOG"
    fits.HDUList(hdus).writeto(os.fspath(path), overwrite=overwrite)


def read_stamps_fits(path):
    """Read a StampSet written by ``write_stamps_fits`` (or any file with the same HDUs and columns)."""
    from astropy.io import fits

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise GalforgeFileNotFoundError(f"{path!r}: no such file")
    try:
        hdul = fits.open(path, memmap=False)
    except OSError as exc:
        raise GalforgeValueError(f"{path!r} cannot be read as FITS: {exc}") from exc
    with hdul:
        names = [h.name for h in hdul]
        for name in ("IMAGES", "SEGMAPS", "CATALOG"):
            if name not in names:
                raise GalforgeValueError(f"{path!r} has no HDU {name!r} (HDUs: {names})")
        images, segmaps, cat = hdul["IMAGES"].data, hdul["SEGMAPS"].data, hdul["CATALOG"].data
        if images is None or segmaps is None or cat is None:
            raise GalforgeValueError(f"{path!r}: an IMAGES, SEGMAPS or CATALOG HDU is empty")
        columns = cat.columns.names
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise GalforgeValueError(f"{path!r} CATALOG lacks the column(s) {missing}; found {columns}")
        if len(cat) != len(images):
            raise GalforgeValueError(f"{path!r}: CATALOG has {len(cat)} rows but IMAGES holds {len(images)} stamps")
        return StampSet(np.array(images), np.array(segmaps), np.array(cat["ID"]), np.array(cat["mag"]),
                        np.array(cat["radius"]), np.char.strip(np.array(cat["galtype"]).astype(str)),
                        np.array(cat["z"]) if "z" in columns else None)


def load_stamps(path):
    """A candels-blender data folder or a FITS stamp file, by what ``path`` is."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return read_candels(path)
    if not os.path.exists(path):
        raise GalforgeFileNotFoundError(f"{path!r}: no such file or folder")
    return read_stamps_fits(path)


__all__ = ["GALTYPES", "StampSet", "load_stamps", "read_candels", "read_stamps_fits", "write_stamps_fits"]
