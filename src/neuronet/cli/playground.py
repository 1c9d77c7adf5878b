"""`neuronet playground`: serve the playground page and train its networks live."""

import sys

from neuronet.cli.common import UsageError, add_option, fill_defaults, integer, number

DESCRIPTION = """\
Serve the neuronet playground on this machine: a web page to build a small network, train
it and watch it learn, live. Open the printed address in a browser. Each browser tab gets a
session of its own on the server, where neuronet does the training; the page draws what the
session streams (server-sent events): the decision boundary, every neuron's output over the
plane, the weights as coloured links (or their gradients), the train/test loss.

  Network      2-D data (circle, XOR, two Gaussians, spiral, moons) with noise and a
               train/test ratio; input features x1, x2, x1^2, x2^2, x1x2, sin; hidden layers
               and neurons added or removed by clicks; activation, learning rate, L1/L2
               regularization, batch size, optimizer (SGD, Momentum, Adam, RMSprop), init,
               batch norm, dropout
  Perceptron   Rosenblatt's learning rule, one sample at a time
  Hopfield     draw patterns, store them, add noise, watch recall lower the energy
  SOM          a Kohonen map unfolding over the data

The server listens on 127.0.0.1 only unless --host says otherwise (it has no
authentication: anyone who can reach the port can train on your CPU). A session nobody has
used for --idle-timeout seconds is freed. Stop the server with Ctrl+C.

examples:
  neuronet playground
  neuronet playground --port 0          # any free port; the address is printed
  neuronet playground --port 8080 --idle-timeout 600
"""


def add_parser(commands):
    p = commands.add_parser("playground", help="a web page to train and watch networks live",
                            description=DESCRIPTION)
    add_option(p, "--port", default=8000, type=integer(0),
               help="TCP port (0: any free one)")
    add_option(p, "--host", default="127.0.0.1",
               help="address to listen on; 0.0.0.0 opens it to the network")
    add_option(p, "--idle-timeout", default=300.0, type=number(0),
               help="seconds without a request or an open page before a session is freed")
    add_option(p, "--max-sessions", default=64, type=integer(1),
               help="sessions at most at once (a new one beyond is refused with a message)")
    p.set_defaults(run=run)


def run(args):
    from neuronet.playground.server import PlaygroundServer

    fill_defaults(args)
    if args.port > 65535:
        raise UsageError(f"neuronet playground: --port must be at most 65535, got {args.port}")
    try:
        server = PlaygroundServer((args.host, args.port), idle_timeout=args.idle_timeout,
                                  max_sessions=args.max_sessions)
    except OSError as e:
        raise UsageError(f"neuronet playground: cannot listen on {args.host}:{args.port} "
                         f"({e.strerror or e})") from None
    print(f"neuronet playground at {server.url} (Ctrl+C stops it)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("neuronet playground: stopped", file=sys.stderr)
    finally:
        server.shutdown()
    return 0
