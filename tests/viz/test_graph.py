"""render_dot: a PNG when Graphviz is installed, a clear error when it is not or when the text
is not dot; nothing half-written either way."""

import pytest

from neuronet.viz import graph
from neuronet.viz.graph import GraphvizUnavailable, graphviz_available, render_dot

PNG = b"\x89PNG\r\n\x1a\n"


def test_render_dot_writes_a_png(tmp_path):
    if not graphviz_available():
        pytest.skip("Graphviz 'dot' is not installed")
    path = render_dot("digraph g { a -> b; }", tmp_path / "g.png")
    assert path.read_bytes()[:8] == PNG
    with pytest.raises(ValueError, match="render_dot: dot rejected the graph: .*syntax error"):
        render_dot("digraph g { a -> ; }", tmp_path / "bad.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.png"]


def test_missing_graphviz_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    assert not graphviz_available()
    with pytest.raises(GraphvizUnavailable, match="'dot' program is not installed"):
        render_dot("digraph g { a -> b; }", tmp_path / "g.png")
    assert list(tmp_path.iterdir()) == []
