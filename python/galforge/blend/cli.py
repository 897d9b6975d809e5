"""``galforge blend produce|concatenate|convert``: candels-blender's three steps, with its options and defaults.

Differences: without ``-d/--datapath`` the input is a set of stamps rendered by galforge
(``synthetic.py``, no download; candels-blender defaults to ``./data``); the output folder is
``-o/--outdir`` (default candels-blender's ``output-s_{seed}-n_{n_blends}``); options beyond
candels-blender's: ``--n_sources``, ``--subpixel``, ``--noise_factor``, ``--n_iter``, ``--layout``,
``--format``, ``--overwrite``, the synthetic-set options.
"""
import argparse
import json
import os
import sys

from .stamps import GALTYPES


def _progress(enabled):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None

    def bar(iterable, total, desc):
        return tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False)
    return bar


def _cmd_produce(args):
    from .files import make_writer
    from .produce import produce
    from .stamps import load_stamps, write_stamps_fits
    from .synthetic import synthetic_stamps

    outdir = args.outdir or f"output-s_{args.seed}-n_{args.n_blends}"
    if args.datapath:
        stamps, source = load_stamps(args.datapath), args.datapath
    else:
        stamps = synthetic_stamps(args.synthetic_n, size=args.stamp_size, seed=args.synthetic_seed,
                                  progress=_progress(not args.no_progress))
        source = f"synthetic (n={args.synthetic_n}, size={args.stamp_size}, seed={args.synthetic_seed})"
    writer = make_writer(outdir, args.layout)
    if not args.datapath and args.save_stamps:
        write_stamps_fits(os.path.join(outdir, "stamps.fits"), stamps, overwrite=True)
    result = produce(stamps, n_blends=args.n_blends, mag_low=args.mag_low, mag_high=args.mag_high,
                     mag_diff=args.mag_diff, rad_diff=args.rad_diff, test_ratio=args.test_ratio,
                     excluded_types=sorted(set(args.excluded_type or ())), seed=args.seed,
                     n_sources=args.n_sources, subpixel=args.subpixel, n_iter=args.n_iter,
                     noise_factor=args.noise_factor, writer=writer, progress=_progress(not args.no_progress))
    s = result.summary
    options = {k: v for k, v in vars(args).items() if k not in ("func", "command", "blend_command")}
    with open(os.path.join(outdir, "produce.json"), "w", encoding="utf-8") as f:
        json.dump({"input": source, "options": options, "summary": s}, f, indent=1)
    print(f"input: {source}: {s['n_galaxies']} galaxies, {s['n_after_cuts']} after the cuts "
          f"({s['n_train_galaxies']} train, {s['n_test_galaxies']} test)")
    print(f"wrote {s['n_train_blends']} train and {s['n_test_blends']} test blends of {s['n_sources']} galaxies "
          f"to {outdir} ({args.layout} layout); {s['skipped_no_shift']} draws redrawn for lack of a possible shift")
    return 0


def _cmd_concatenate(args):
    from .files import concatenate

    paths = concatenate(args.image_dir, args.method, fmt=args.format, delete=args.delete, overwrite=args.overwrite)
    for p in paths:
        print(f"=> {p} created")
    if not paths:
        print("nothing written: the outputs exist (use --overwrite)")
    return 0


def _cmd_convert(args):
    from .files import convert

    for p in convert(args.image_dir, zeropoint=args.zeropoint):
        print(f"=> {p} created")
    return 0


def add_blend_parser(sub, int_at_least):
    """Add ``blend`` and its three subcommands to the ``galforge`` subparsers ``sub``."""
    from .files import FORMATS, LAYOUTS
    from .recipes import METHODS

    def ratio(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not 0.0 <= value <= 1.0:
            raise argparse.ArgumentTypeError(f"{value} is out of range: expected 0 <= ratio <= 1")
        return value

    blend = sub.add_parser("blend", help="blends of galaxy stamps with masks and truth (candels-blender's steps)",
                           description="Make blends of galaxy stamps for deblending: produce, then concatenate, "
                                       "then convert.")
    steps = blend.add_subparsers(dest="blend_command", metavar="step", required=True)

    p = steps.add_parser("produce", help="create the blends, segmaps and truth catalogues",
                         description="Pick groups of galaxies (train and test from disjoint galaxies), mask their "
                                     "neighbours, shift the companions; write isolated stamps, segmaps and "
                                     "{train,test}_catalogue.csv to the output folder.")
    p.add_argument("-n", "--n_blends", type=int_at_least(1), default=100, help="number of blends (default: %(default)s)")
    p.add_argument("--mag_low", type=float, default=0.0, help="keep mag > MAG_LOW (default: %(default)s)")
    p.add_argument("--mag_high", type=float, default=100.0, help="keep mag < MAG_HIGH (default: %(default)s)")
    p.add_argument("--mag_diff", type=float, default=2.0,
                   help="companions have |mag - mag_central| < MAG_DIFF (default: %(default)s)")
    p.add_argument("--rad_diff", type=float, default=4.0,
                   help="largest shift in units of the smaller radius (default: %(default)s)")
    p.add_argument("-t", "--test_ratio", type=ratio, default=0.2,
                   help="fraction of the galaxies, and of the blends, for the test set (default: %(default)s)")
    p.add_argument("-e", "--excluded_type", choices=GALTYPES, action="append", help="exclude a galaxy type (repeatable)")
    p.add_argument("-d", "--datapath", default=None,
                   help="candels-blender data folder (candels_img.npy, candels_seg.npy, candels_cat.csv) or a "
                        "FITS stamp file; default: stamps rendered by galforge")
    p.add_argument("-s", "--seed", type=int_at_least(0), default=42, help="seed of every random draw (default: %(default)s)")
    p.add_argument("-o", "--outdir", default=None, help="output folder (default: output-s_{seed}-n_{n_blends})")
    p.add_argument("--n_sources", type=int_at_least(2), default=2, help="galaxies per blend (default: %(default)s)")
    p.add_argument("--subpixel", action="store_true", help="real-valued shifts (default: integer pixels)")
    p.add_argument("--noise_factor", type=float, default=0.0,
                   help="extra noise over each stamp in background sigmas; candels-blender: 1 (default: %(default)s)")
    p.add_argument("--n_iter", type=int_at_least(0), default=5,
                   help="dilations of the segmaps before masking neighbours (default: %(default)s)")
    p.add_argument("--layout", choices=LAYOUTS, default="stacked",
                   help="stacked .npy files or candels-blender's per-blend files (default: %(default)s)")
    p.add_argument("--synthetic_n", type=int_at_least(1), default=500,
                   help="number of rendered stamps without --datapath (default: %(default)s)")
    p.add_argument("--stamp_size", type=int_at_least(32), default=128, help="rendered stamp size (default: %(default)s)")
    p.add_argument("--synthetic_seed", type=int_at_least(0), default=0,
                   help="seed of the rendered stamp set (default: %(default)s)")
    p.add_argument("--save_stamps", action="store_true", help="also write the rendered stamps to OUTDIR/stamps.fits")
    p.add_argument("--no_progress", action="store_true", help="no progress bars")
    p.set_defaults(func=_cmd_produce)

    c = steps.add_parser("concatenate", help="sum the stamps into blends and build a training target",
                         description="Write {train,test}_blends (the sum of the isolated stamps) and "
                                     "{train,test}_METHOD: gg_masks (n, k, ny, nx), ogg_masks (n, ny, nx, 1+k) "
                                     "[overlap, g1..gk], bogg_masks (n, ny, nx, 2+k) one-hot [background, overlap, "
                                     "g1 only..gk only], single_images (n, ny, nx, k).")
    c.add_argument("-d", "--image_dir", required=True, help="the folder written by produce")
    c.add_argument("-m", "--method", required=True, choices=METHODS, help="the target to build")
    c.add_argument("--delete", action="store_true", help="delete the isolated-stamp files once finished")
    c.add_argument("--format", choices=FORMATS, default="npy", help="output format (default: %(default)s)")
    c.add_argument("--overwrite", action="store_true", help="replace existing outputs (default: keep them)")
    c.set_defaults(func=_cmd_concatenate)

    v = steps.add_parser("convert", help="magnitudes of the catalogues to fluxes",
                         description="Write {train,test}_flux.npy (n, k): flux = 10^(-0.4 (mag - ZEROPOINT)).")
    v.add_argument("-d", "--image_dir", required=True, help="the folder written by produce")
    v.add_argument("--zeropoint", type=float, default=25.96, help="magnitude zero point (default: %(default)s)")
    v.set_defaults(func=_cmd_convert)
    return blend


__all__ = ["add_blend_parser"]
