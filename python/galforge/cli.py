"""The ``galforge`` console script: subcommands mirroring the library.

    galforge demo [--out DIR] [--seed N] [--size N]
    galforge extract CLASSIFICATIONS.csv CONFIG.yaml [-d DIR] [-o NAME]     (galforge.zooniverse.cli)
    galforge reduce EXTRACTIONS.csv CONFIG.yaml [-d DIR] [-o NAME]
    galforge blend produce|concatenate|convert [options]   (galforge/blend/cli.py)
    galforge batch fit|reduce [options]                     (galforge/batch/cli.py)

Exit status: 0 on success, 1 on a failure (one line on stderr: ``galforge <command>: error: <reason>``),
2 on a usage error (argparse).
"""
import argparse
import sys


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small: expected an integer >= {minimum}")
        return value

    parse.__name__ = "integer"
    return parse


def _cmd_demo(args):
    from .demo import run_demo

    result = run_demo(out=args.out, seed=args.seed, size=args.size, png=not args.no_png)
    for path in result["files"]:
        print(f"wrote {path}")
    for note in result["notes"]:
        print(note)
    in_frame, analytic = result["flux_in_frame"], result["analytic_flux"]
    parts = ", ".join(f"{name} {flux:.6g}" for name, flux in result["component_flux"].items())
    print(f"galaxy flux in the {result['size']}x{result['size']} model image (sky subtracted): {in_frame:.6g}")
    print(f"analytic total flux of the components: {analytic:.6g} ({parts})")
    print(f"in frame / analytic = {in_frame / analytic:.5f} (the rest of the light falls outside the frame)")
    return 0


def build_parser():
    from . import __version__
    from .demo import MIN_SIZE

    parser = argparse.ArgumentParser(
        prog="galforge",
        description="galforge: galaxy images from volunteers' drawings to fitted photometric models.")
    parser.add_argument("--version", action="version", version=f"galforge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="command", required=True)

    demo = sub.add_parser(
        "demo", help="render a demo galaxy (bulge + disk + bar) with noise; write FITS and PNG files",
        description="Render the demo galaxy (a Sersic n=4 bulge, an exponential disk and a boxy bar on a "
                    "sky, through a Moffat PSF), add Gaussian + Poisson-like noise, and write model.fits "
                    "(with its components and PSF), image.fits (noisy), sigma.fits, psf.fits and demo.png "
                    "(needs matplotlib) to the output folder. Prints the files written and the flux in "
                    "the frame against the analytic total of the components.")
    demo.add_argument("--out", default="galforge-demo", metavar="DIR",
                      help="output folder, created if missing; files in it are replaced (default: %(default)s)")
    demo.add_argument("--seed", type=_int_at_least(0), default=0, metavar="N",
                      help="seed of the noise generator (default: %(default)s)")
    demo.add_argument("--size", type=_int_at_least(MIN_SIZE), default=128, metavar="N",
                      help=f"image size in pixels, N x N, N >= {MIN_SIZE}; the galaxy scales with it "
                           "(default: %(default)s)")
    demo.add_argument("--no-png", action="store_true", help="do not write demo.png")
    demo.set_defaults(func=_cmd_demo)

    from .blend.cli import add_blend_parser
    from .zooniverse.cli import add_commands as add_zooniverse_commands

    add_zooniverse_commands(sub)
    add_blend_parser(sub, _int_at_least)
    from .batch.cli import add_batch_parser

    add_batch_parser(sub, _int_at_least)
    return parser


def main(argv=None):
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:  # GalforgeValueError is a ValueError
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(f"galforge {args.command}: error: {reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
