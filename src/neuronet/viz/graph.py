"""Render Graphviz `dot` text (e.g. from neuronet.autograd.to_dot) as a PNG with the `dot`
program, when it is installed (Debian/Ubuntu: `apt-get install graphviz`).

    if graphviz_available():
        render_dot(to_dot(loss), "graph.png")
"""

import shutil
import subprocess

from neuronet.io import write_bytes


class GraphvizUnavailable(RuntimeError):
    """The Graphviz `dot` program is not on PATH."""


def graphviz_available():
    """Whether the `dot` program can be run."""
    return shutil.which("dot") is not None


def render_dot(dot_text, path, timeout=60):
    """Lay out `dot_text` with `dot -Tpng` and write the image to `path` atomically."""
    program = shutil.which("dot")
    if program is None:
        raise GraphvizUnavailable("render_dot: the Graphviz 'dot' program is not installed "
                                  "(apt-get install graphviz); the dot text itself needs no "
                                  "program")
    done = subprocess.run([program, "-Tpng"], input=dot_text.encode(), capture_output=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise ValueError(f"render_dot: dot rejected the graph: "
                         f"{done.stderr.decode(errors='replace').strip()}")
    write_bytes(path, done.stdout)
    return path
