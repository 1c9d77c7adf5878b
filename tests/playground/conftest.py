"""A playground server on a free loopback port for each test (its clients: loopback.py)."""

import pytest

from neuronet.playground.server import PlaygroundServer


@pytest.fixture
def server(tmp_path):
    server = PlaygroundServer(("127.0.0.1", 0), log=open(tmp_path / "errors.log", "w"))
    server.start()
    yield server
    server.shutdown()
    server.log.close()
