"""galforge.blend on disk and on the command line: stamp layouts (candels npy + csv, FITS), produce's two
layouts, concatenate (npy, FITS, HDF5), convert, and ``galforge blend`` -- checked against files read
back with numpy/astropy/h5py and candels-blender's documented formulas."""
import csv
import json
import math

import numpy as np
import pytest
from astropy.io import fits

from galforge import cli
from galforge.blend import (StampSet, concatenate, convert, load_products, load_stamps, mag_to_flux, produce,
                            read_candels, read_catalogue, read_stamps_fits, synthetic_stamps, write_stamps_fits)
from galforge.blend.files import make_writer
from galforge.errors import GalforgeValueError


@pytest.fixture(scope="module")
def stamps():
    return synthetic_stamps(24, size=48, seed=2)


def write_candels_folder(folder, st):
    folder.mkdir(exist_ok=True)
    np.save(folder / "candels_img.npy", st.images)
    np.save(folder / "candels_seg.npy", st.segmaps.astype(np.uint8))
    with open(folder / "candels_cat.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ID", "RA", "DEC", "FIELD", "mag", "mag_err", "radius", "z", "galtype", "segval"])
        for i in range(len(st)):
            w.writerow([st.ids[i], 53.1, -27.8, "GOODS-S", repr(float(st.mag[i])), repr(float(st.mag[i])), repr(float(st.radius[i])),
                        0.5 + i / 10, st.galtype[i], st.segmaps[i, 24, 24]])


def assert_same_stamps(a, b, z=True):
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.segmaps, b.segmaps)
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.mag, b.mag)
    np.testing.assert_array_equal(a.radius, b.radius)
    np.testing.assert_array_equal(a.galtype, b.galtype)


def test_candels_folder_and_fits_stamps_round_trip(tmp_path, stamps):
    write_candels_folder(tmp_path / "data", stamps)
    st = read_candels(tmp_path / "data")
    assert_same_stamps(st, stamps)
    np.testing.assert_allclose(st.z, 0.5 + np.arange(len(stamps)) / 10)
    write_stamps_fits(tmp_path / "stamps.fits", st)
    back = load_stamps(tmp_path / "stamps.fits")
    assert_same_stamps(back, st)
    np.testing.assert_array_equal(back.z, st.z)
    with fits.open(tmp_path / "stamps.fits") as hdul:
        assert hdul["IMAGES"].data.shape == (24, 48, 48)
        assert list(hdul["CATALOG"].columns.names) == ["ID", "mag", "radius", "galtype", "z"]
    assert_same_stamps(load_stamps(tmp_path / "data"), st)


def test_stamp_files_bad_input(tmp_path, stamps):
    write_candels_folder(tmp_path / "data", stamps)
    (tmp_path / "data" / "candels_cat.csv").write_text("ID,mag\n1,20\n")
    with pytest.raises(GalforgeValueError, match="radius"):
        read_candels(tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="candels_img.npy"):
        read_candels(tmp_path)
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_stamps(tmp_path / "missing.fits")
    fits.PrimaryHDU(np.zeros((3, 3))).writeto(tmp_path / "plain.fits")
    with pytest.raises(GalforgeValueError, match="IMAGES"):
        read_stamps_fits(tmp_path / "plain.fits")


@pytest.mark.parametrize("method", ["gg_masks", "ogg_masks", "bogg_masks", "single_images"])
def test_layouts_concatenate_and_formats(tmp_path, stamps, method):
    kw = dict(n_blends=30, seed=5, test_ratio=0.2)
    mem = produce(stamps, **kw)
    for layout in ("stacked", "candels"):
        out = tmp_path / layout
        produce(stamps, writer=make_writer(out, layout), **kw)
        for split in ("train", "test"):
            s, g = load_products(out, split)
            np.testing.assert_array_equal(s, mem[split].stamps)
            np.testing.assert_array_equal(g, mem[split].segmaps)
            cat = read_catalogue(out / f"{split}_catalogue.csv")
            np.testing.assert_allclose(cat["distance"], mem[split].catalogue["distance"], rtol=1e-9)
            np.testing.assert_array_equal(cat["g2_type"], mem[split].catalogue["g2_type"])
        if layout == "candels":  # candels-blender's per-blend files: (ny, nx, 2) float32 and (2, ny, nx) uint8
            one = np.load(out / "train_blend_000003.npy")
            assert one.shape == (48, 48, 2) and one.dtype == np.float32
            np.testing.assert_array_equal(one[..., 1], mem.train.stamps[3, 1])
            seg = np.load(out / "train_blend_seg_000003.npy")
            assert seg.shape == (2, 48, 48) and seg.dtype == np.uint8
        paths = concatenate(out, method, delete=True)
        assert len(paths) == 4
        assert not list(out.glob("train_blend_*")) and not (out / "train_stamps.npy").exists()
        blends = np.load(out / "train_blends.npy")
        np.testing.assert_allclose(blends, mem.train.stamps[:, 0] + mem.train.stamps[:, 1], rtol=1e-6, atol=1e-7)
        target = np.load(out / f"train_{method}.npy")
        s1, s2 = mem.train.segmaps[:, 0].astype(bool), mem.train.segmaps[:, 1].astype(bool)
        expected = {"gg_masks": mem.train.segmaps,
                    "ogg_masks": np.stack([s1 & s2, s1, s2], axis=-1).astype(np.uint8),
                    "bogg_masks": np.stack([~s1 & ~s2, s1 & s2, s1 & ~s2, s2 & ~s1], axis=-1).astype(np.uint8),
                    "single_images": np.stack([mem.train.stamps[:, 0], mem.train.stamps[:, 1]], axis=-1)}[method]
        np.testing.assert_array_equal(target, expected)
    if method == "bogg_masks":  # other formats hold the same arrays
        out = tmp_path / "formats"
        produce(stamps, writer=make_writer(out), **kw)
        concatenate(out, method, fmt="fits")
        with fits.open(out / "test_bogg_masks.fits") as hdul:
            np.testing.assert_array_equal(hdul[0].data, np.load(tmp_path / "stacked" / "test_bogg_masks.npy"))
        h5py = pytest.importorskip("h5py")
        concatenate(out, method, fmt="hdf5")
        with h5py.File(out / "train_blends.h5") as f:
            np.testing.assert_array_equal(f["blends"][...], np.load(tmp_path / "stacked" / "train_blends.npy"))
        assert concatenate(out, method, fmt="fits") == []  # kept, as candels-blender does
        assert len(concatenate(out, method, fmt="fits", overwrite=True)) == 4


def test_concatenate_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="no products"):
        concatenate(tmp_path, "gg_masks")
    with pytest.raises(GalforgeValueError, match="method"):
        concatenate(tmp_path, "masks")
    with pytest.raises(GalforgeValueError, match="format"):
        concatenate(tmp_path, "gg_masks", fmt="png")


def test_convert_magnitudes_to_fluxes(tmp_path, stamps):
    produce(stamps, n_blends=20, seed=1, n_sources=3, mag_diff=3.0, writer=make_writer(tmp_path))
    paths = convert(tmp_path)
    assert len(paths) == 2
    flux = np.load(tmp_path / "train_flux.npy")
    cat = read_catalogue(tmp_path / "train_catalogue.csv")
    assert flux.shape == (16, 3) and flux.dtype == np.float64
    for k in range(3):
        np.testing.assert_allclose(flux[:, k], [10 ** (-0.4 * (m - 25.96)) for m in cat[f"g{k + 1}_mag"]], rtol=1e-12)
    # five magnitudes are a factor 100 in flux; the zero point has flux 1
    assert mag_to_flux(20.0, 25.5) / mag_to_flux(25.0, 25.5) == pytest.approx(100.0)
    assert mag_to_flux(25.5, 25.5) == 1.0
    with pytest.raises(FileNotFoundError, match="catalogue"):
        convert(tmp_path / "nowhere")


def run_cli(*argv):
    return cli.main([str(a) for a in argv])


def test_cli_three_steps(tmp_path, capsys, stamps):
    out = tmp_path / "out"
    write_stamps_fits(tmp_path / "stamps.fits", stamps)
    assert run_cli("blend", "produce", "-n", 25, "-d", tmp_path / "stamps.fits", "-o", out, "-t", 0.2, "-s", 3,
                   "-e", "irr", "--mag_diff", 3, "--no_progress") == 0
    text = capsys.readouterr().out
    assert "20 train and 5 test blends" in text
    info = json.loads((out / "produce.json").read_text())
    assert info["summary"]["n_train_blends"] == 20 and info["options"]["excluded_type"] == ["irr"]
    direct = produce(stamps, n_blends=25, test_ratio=0.2, seed=3, excluded_types=["irr"], mag_diff=3.0)
    np.testing.assert_array_equal(np.load(out / "train_stamps.npy"), direct.train.stamps)
    assert run_cli("blend", "concatenate", "-d", out, "-m", "ogg_masks") == 0
    assert np.load(out / "train_ogg_masks.npy").shape == (20, 48, 48, 3)
    assert run_cli("blend", "convert", "-d", out, "--zeropoint", 25.5) == 0
    cat = read_catalogue(out / "test_catalogue.csv")
    np.testing.assert_allclose(np.load(out / "test_flux.npy")[:, 1], 10 ** (-0.4 * (cat["g2_mag"] - 25.5)))


def test_cli_defaults_and_synthetic_input(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    parser = cli.build_parser()
    a = parser.parse_args(["blend", "produce"])
    assert (a.n_blends, a.mag_low, a.mag_high, a.mag_diff, a.rad_diff, a.test_ratio, a.seed) == \
        (100, 0.0, 100.0, 2.0, 4.0, 0.2, 42)
    assert parser.parse_args(["blend", "convert", "-d", "x"]).zeropoint == 25.96
    assert run_cli("blend", "produce", "-n", 10, "--synthetic_n", 20, "--stamp_size", 40, "--subpixel", "--mag_diff", 5,
                   "--n_sources", 3, "--layout", "candels", "--save_stamps", "--no_progress") == 0
    out = tmp_path / "output-s_42-n_10"
    assert len(list(out.glob("train_blend_seg_*.npy"))) == 8 and (out / "stamps.fits").exists()
    np.testing.assert_array_equal(read_stamps_fits(out / "stamps.fits").images,
                                  synthetic_stamps(20, size=40, seed=0).images)
    cat = read_catalogue(out / "train_catalogue.csv")
    assert "g3_snr" in cat and not np.all(cat["shift_x"] == np.round(cat["shift_x"]))


def test_cli_errors_one_line(tmp_path, capsys):
    assert run_cli("blend", "concatenate", "-d", tmp_path, "-m", "gg_masks") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("galforge blend: error:") and "no products" in err and "\n" not in err
    assert run_cli("blend", "produce", "-d", tmp_path / "none", "--no_progress") == 1
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        run_cli("blend", "produce", "-t", "1.5")
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        run_cli("blend", "concatenate", "-d", tmp_path, "-m", "rgb")
    capsys.readouterr()


def test_stampset_from_real_like_uint8_segmaps(stamps):
    st = StampSet(stamps.images.astype(np.float64), stamps.segmaps.astype(np.uint8), stamps.ids, stamps.mag,
                  stamps.radius, stamps.galtype)
    assert st.images.dtype == np.float32 and st.segmaps.dtype == np.int32 and len(st) == 24
    assert st.centre == (24, 24) and math.isnan(st.z[0])
