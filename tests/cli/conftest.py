"""Fixtures of the command-line tests: run `main` in-process and check its error lines."""

import pytest

from neuronet.cli import main


@pytest.fixture
def run_cli(capsys):
    """run_cli(*args) -> (exit status, stdout, stderr) of `neuronet args...` in-process."""
    def run(*args):
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err
    return run


@pytest.fixture
def usage_error():
    """usage_error(result, *fragments): `result` (from run_cli) is exit status 2 with exactly
    one line on stderr, containing every fragment, and no traceback."""
    def check(result, *fragments):
        status, _, err = result
        assert status == 2, result
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert "Traceback" not in err
        for fragment in fragments:
            assert fragment in lines[0], (fragment, lines[0])
    return check
