"""`neuronet playground`: its help, clear errors, and the real command serving the page."""

import signal
import socket
import subprocess
import sys
import urllib.request

from neuronet.cli import main


def test_help_explains_the_pages_and_the_options(capsys):
    assert main(["playground", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("--port", "--host", "--idle-timeout", "--max-sessions", "127.0.0.1 only",
                  "Perceptron", "Hopfield", "SOM", "(default: 8000)"):
        assert words in text


def test_bad_options_are_one_line_errors(capsys):
    assert main(["playground", "--port", "70000"]) == 2
    assert "--port must be at most 65535, got 70000" in capsys.readouterr().err
    assert main(["playground", "--idle-timeout", "0"]) == 2
    assert "must be a number in (0, inf)" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["playground", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_the_command_serves_the_page_until_interrupted():
    process = subprocess.Popen([sys.executable, "-m", "neuronet", "playground", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("neuronet playground at http://127.0.0.1:")
        url = line.split()[3]
        with urllib.request.urlopen(url, timeout=10) as page:
            assert page.status == 200 and b"neuronet playground" in page.read()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0 and "stopped" in err
