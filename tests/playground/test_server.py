"""The playground's HTTP API on loopback: the page and its files, sessions made, changed and
freed, the event stream, and every kind of bad request answered with a clear message while
the server carries on."""

import http.client
import json
import threading
import time

import pytest
from loopback import client_frame, events, open_stream, read_message, request

from neuronet.playground import server as server_module


def test_the_page_and_its_files(server):
    status, page = request(server, "GET", "/")
    assert status == 200 and b"<title>neuronet playground</title>" in page
    for name in ("app.js", "style.css"):
        status, body = request(server, "GET", f"/static/{name}")
        assert status == 200 and len(body) > 1000
        assert f"/static/{name}".encode() in page
    status, answer = request(server, "GET", "/static/../server.py")
    assert status == 404 and "no such" in answer["error"]


def test_a_session_is_made_changed_acted_on_and_freed(server):
    status, state = request(server, "POST", "/api/sessions",
                            {"kind": "network", "config": {"dataset": "xor"}})
    assert status == 201 and state["config"]["dataset"] == "xor" and "data" in state
    path = f"/api/sessions/{state['id']}"
    status, state = request(server, "POST", f"{path}/config", {"hidden": [3]})
    assert status == 200 and len(state["weights"]) == 2
    status, state = request(server, "POST", f"{path}/action", {"name": "step",
                                                               "args": {"steps": 7}})
    assert status == 200 and state["step"] == 7
    assert request(server, "GET", path)[1]["step"] == 7
    assert request(server, "DELETE", path) == (200, {"deleted": state["id"]})
    status, answer = request(server, "GET", path)
    assert status == 404 and "reload the page" in answer["error"]


@pytest.mark.parametrize("method, path, body, raw, status, says", [
    ("POST", "/api/sessions", {"kind": "mlp"}, None, 400, "unknown session kind 'mlp'"),
    ("POST", "/api/sessions", {"kind": "network", "config": {"hidden": [99]}}, None, 400,
     "network: hidden must be a list of 0 to 6 integers in [1, 8]"),
    ("POST", "/api/sessions", {"kind": "network", "colour": 1}, None, 400,
     'a new session needs {"kind"'),
    ("POST", "/api/sessions", None, b"{not json", 400, "not valid JSON"),
    ("POST", "/api/sessions", None, b'{"kind": "network", "config": {"noise": NaN}}', 400,
     "NaN is not a number"),
    ("POST", "/api/sessions", None, b"\xff\xfe", 400, "not valid JSON"),
    ("POST", "/api/sessions", [1, 2], None, 400, 'a new session needs {"kind"'),
    ("GET", "/api/sessions", None, None, 405, "POST creates a session"),
    ("GET", "/api/sessions/nope", None, None, 404, "no session 'nope'"),
    ("GET", "/api/sessions/nope/stream", None, None, 404, "no session 'nope'"),
    ("GET", "/elsewhere", None, None, 404, "no such address"),
    ("PUT", "/", None, None, 501, None),
])
def test_bad_requests_get_a_clear_answer(server, method, path, body, raw, status, says):
    got, answer = request(server, method, path, body, raw)
    assert got == status
    if says:
        assert says in answer["error"]
    assert request(server, "GET", "/")[0] == 200  # and the server carries on


def test_bad_parameters_and_actions_of_a_live_session(server):
    state = request(server, "POST", "/api/sessions", {"kind": "hopfield"})[1]
    path = f"/api/sessions/{state['id']}"
    cases = [("config", {"side": 3}, "hopfield: side must be an integer in [4, 16]"),
             ("config", {"rule": "oja"}, "rule must be one of hebbian, storkey"),
             ("action", {"name": "play"}, "store at least one pattern"),
             ("action", {"name": "store", "args": {"pattern": [1, 0]}}, "100 values, each -1"),
             ("action", {"name": "jump"}, "unknown action 'jump'"),
             ("action", {"name": "step", "args": []}, "must be a JSON object")]
    for verb, body, says in cases:
        status, answer = request(server, "POST", f"{path}/{verb}", body)
        assert status == 400 and says in answer["error"], (body, answer)
    assert request(server, "GET", path)[1]["version"] == state["version"]  # nothing changed


def test_a_too_large_body_is_refused_unread(server):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("POST", "/api/sessions")
    connection.putheader("Content-Length", str(server_module.MAX_BODY + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and b"at most 1048576 bytes" in response.read()
    connection.close()


def test_a_full_server_says_so(server):
    server.store.max_sessions = 2
    for _ in range(2):
        assert request(server, "POST", "/api/sessions", {"kind": "som"})[0] == 201
    status, answer = request(server, "POST", "/api/sessions", {"kind": "som"})
    assert status == 503 and "2 sessions are open" in answer["error"]


def test_a_bug_is_answered_500_logged_and_survived(server, monkeypatch):
    state = request(server, "POST", "/api/sessions", {"kind": "perceptron"})[1]
    session = server.store.get(state["id"])
    monkeypatch.setattr(type(session), "act_reset", lambda self: 1 / 0)
    status, answer = request(server, "POST", f"/api/sessions/{state['id']}/action",
                             {"name": "reset"})
    assert status == 500 and "ZeroDivisionError" in answer["error"]
    server.log.flush()
    assert "ZeroDivisionError" in open(server.log.name).read()
    assert request(server, "GET", f"/api/sessions/{state['id']}")[0] == 200


def test_the_stream_sends_frames_while_playing_and_ends_when_the_session_goes(server):
    state = request(server, "POST", "/api/sessions", {"kind": "network",
                                                      "config": {"dataset": "xor"}})[1]
    path = f"/api/sessions/{state['id']}"
    stream = events(server, state["id"])
    name, first = next(stream)
    assert name == "state" and first["step"] == 0 and "data" in first
    request(server, "POST", f"{path}/action", {"name": "play"})
    steps = []
    for name, frame in stream:
        assert name == "state" and "data" not in frame  # the points only when they change
        steps.append(frame["step"])
        if len(steps) == 5:
            break
    assert steps == sorted(steps) and steps[-1] > steps[0] > 0
    request(server, "POST", f"{path}/action", {"name": "regenerate"})
    for _, frame in stream:
        if not frame["playing"]:
            break
    assert "data" in frame and frame["config"]["seed"] == 1
    threading.Timer(0.2, request, (server, "DELETE", path)).start()
    assert [name for name, _ in stream][-1] == "closed"


def test_a_diverging_session_reports_a_failure_on_its_stream(server):
    config = {"learning_rate": 10.0, "activation": "linear", "hidden": [8] * 6,
              "init": "normal"}
    state = request(server, "POST", "/api/sessions", {"kind": "network", "config": config})[1]
    stream = events(server, state["id"])
    next(stream)
    request(server, "POST", f"/api/sessions/{state['id']}/action", {"name": "play"})
    for name, frame in stream:
        if name == "failure":
            error = frame["error"]
            break
    assert "lower the learning rate" in error
    assert request(server, "GET", f"/api/sessions/{state['id']}")[1]["playing"] is False


def test_idle_sessions_are_freed_and_open_streams_keep_theirs_alive(server):
    server.store.idle_timeout = 0.5
    idle = request(server, "POST", "/api/sessions", {"kind": "som"})[1]["id"]
    watched = request(server, "POST", "/api/sessions", {"kind": "som"})[1]["id"]
    stream = events(server, watched)
    next(stream)
    request(server, "POST", f"/api/sessions/{watched}/action", {"name": "play"})
    deadline = time.monotonic() + 10
    while idle in server.store.ids() and time.monotonic() < deadline:
        server.store.sweep()
        next(stream)
    assert idle not in server.store.ids() and watched in server.store.ids()


def test_the_stream_is_a_websocket_that_answers_pings_and_closes(server):
    state = request(server, "POST", "/api/sessions", {"kind": "perceptron"})[1]
    status, answer = request(server, "GET", f"/api/sessions/{state['id']}/stream")
    assert status == 400 and "the stream is a WebSocket" in answer["error"]
    sock, reader = open_stream(server, state["id"])
    opcode, payload = read_message(reader)
    assert opcode == 1 and json.loads(payload)["event"] == "state"
    sock.sendall(client_frame(0x9, b"hi"))
    assert read_message(reader) == (0xA, b"hi")
    sock.sendall(client_frame(0x8, b"\x03\xe8"))
    assert read_message(reader) == (0x8, b"\x03\xe8")
    sock.close()
    assert request(server, "GET", f"/api/sessions/{state['id']}")[0] == 200


def test_a_client_frame_that_breaks_the_protocol_ends_the_stream(server):
    state = request(server, "POST", "/api/sessions", {"kind": "som"})[1]
    sock, reader = open_stream(server, state["id"])
    read_message(reader)
    sock.sendall(bytes([0x81, 5]) + b"hello")  # unmasked: not allowed from a client
    opcode, _ = read_message(reader)
    assert opcode in (0x8, None)
    sock.close()
