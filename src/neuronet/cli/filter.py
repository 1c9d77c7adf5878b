"""`neuronet filter IN OUT --kernel NAME [--size N --sigma S --strength A --mode M]`: an image
filter from neuronet.vision applied to an image file; `neuronet filter --list` lists them."""

from neuronet.cli.common import choice, integer, number, table
from neuronet.vision import (
    BORDER_MODES,
    apply_filter,
    describe_filter,
    filter_names,
    filter_options,
)
from neuronet.vision.image_io import image_format, read_image, write_image

# the filters' options the command line sets (--mode for `mode`, ...)
_OPTIONS = ("size", "sigma", "strength", "mode")


def add_parser(commands):
    p = commands.add_parser(
        "filter", help="blur, sharpen, emboss or find the edges of an image file",
        description="Apply a classic image filter (a convolution kernel run by neuronet's "
                    "conv2d, or a median) to the image IN and write the result to OUT, in the "
                    "format OUT's extension names (.png, .jpg, ...). Grey images stay grey, "
                    "colour images are filtered per R, G, B plane. Needs Pillow (pip install "
                    "neuronet[plot]).\n\n"
                    "  neuronet filter photo.jpg relief.png --kernel emboss\n"
                    "  neuronet filter photo.jpg soft.png --kernel gaussian-blur --sigma 2\n"
                    "  neuronet filter --list     # the filters and the options each takes",
        epilog="Options a filter does not take are refused; the ones not given keep the "
               "filter's own default (shown by --list).")
    p.add_argument("input", nargs="?", metavar="IN", help="image file to read")
    p.add_argument("output", nargs="?", metavar="OUT", help="image file to write")
    p.add_argument("--kernel", type=choice("filter", filter_names),
                   help=f"the filter: {', '.join(filter_names())}")
    p.add_argument("--list", action="store_true",
                   help="list the filters with their options and defaults, then stop")
    p.add_argument("--size", type=integer(1),
                   help="window size in pixels, odd (box-blur, gaussian-blur, median, "
                        "watercolor)")
    p.add_argument("--sigma", type=number(0),
                   help="Gaussian standard deviation in pixels (gaussian-blur)")
    p.add_argument("--strength", type=number(0, include_low=True),
                   help="how much to sharpen, 0 = not at all (sharpen, watercolor)")
    p.add_argument("--mode", type=choice("border mode", lambda: tuple(BORDER_MODES)),
                   help=f"how the image continues past its border: {', '.join(BORDER_MODES)} "
                        "(as in scipy.ndimage)")
    p.set_defaults(run=lambda args: run(args, p))


def list_filters():
    rows = [(name, ", ".join(f"{k}={'auto' if v is None else v}"
                             for k, v in filter_options(name).items()),
             describe_filter(name)) for name in filter_names()]
    print(table(rows, header=("filter", "options (default)", "what it does")))
    return 0


def run(args, parser):
    if args.list:
        return list_filters()
    if args.kernel is None or args.output is None:
        missing = "--kernel" if args.output else "IN and OUT"
        parser.error(f"{missing} required (or --list to see the filters)")
    options = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k) is not None}
    refused = [k for k in options if k not in filter_options(args.kernel)]
    if refused:
        parser.error(f"--{refused[0]} does not apply to {args.kernel}; its options are: "
                     f"{', '.join(f'--{k}' for k in filter_options(args.kernel))}")
    who = "neuronet filter"
    image_format(args.output, who)  # a bad extension fails before the work, not after
    image = read_image(args.input, who)
    write_image(args.output, apply_filter(image, args.kernel, **options), who)
    shape = "x".join(map(str, image.shape[:2])) + (" RGB" if image.ndim == 3 else " grey")
    print(f"{args.kernel}: {args.input} ({shape}) -> {args.output}")
    return 0
