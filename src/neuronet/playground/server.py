"""The playground's HTTP server: the page, a small JSON API and one event stream per session.

    server = PlaygroundServer(("127.0.0.1", 8000))     # port 0: any free port
    server.serve_forever()                             # or start() for a background thread

Standard library only (http.server, one thread per connection). The API:

    GET    /                                  the page (static/index.html)
    GET    /static/NAME                       the page's script and style sheet
    POST   /api/sessions         {kind, config}   a new session -> its state (201)
    GET    /api/sessions/ID                   its state, with the data points
    POST   /api/sessions/ID/config   {...}    change parameters -> its state
    POST   /api/sessions/ID/action   {name, args}   play, pause, step, reset, ... -> its state
    DELETE /api/sessions/ID                   free it now (the page does on unload)
    GET    /api/sessions/ID/stream            a WebSocket of JSON messages {event, data}:
                                              "state" whenever the session changes (with the
                                              data points when they changed), "failure" when
                                              training stops on an error, "closed" when the
                                              session is freed

The stream's own thread also trains: while the session plays, it works about FRAME seconds,
sends the frame, and goes on. A WebSocket rather than server-sent events: a browser keeps at
most 6 HTTP/1.1 connections to a host, which 6 tabs of event streams would use up.

Bad input is answered 400 with a message that names the parameter; an unknown session 404; a
full table 503; anything unexpected 500, logged, and the server carries on.
"""

import http.server
import json
import sys
import threading
import time
import traceback
from importlib import resources

from neuronet.playground.params import ParamError
from neuronet.playground.sessions import SessionStore, TooManySessions, UnknownSession
from neuronet.playground.websocket import WebSocket, accept_key, valid_key

FRAME = 0.08  # seconds of training between two frames while playing (about 12 frames/s)
KEEPALIVE = 15.0  # seconds between pings on a quiet stream
WAKE = 0.5  # seconds a quiet stream waits before it looks whether its client went away
MAX_BODY = 1 << 20  # bytes: a request body beyond this is refused (413)
STATIC = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
          "style.css": "text/css; charset=utf-8"}


class HTTPError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class PlaygroundServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # open streams do not keep the process alive at shutdown
    request_queue_size = 128  # socketserver's 5 resets connections when many tabs open at once

    def __init__(self, address, idle_timeout=300.0, max_sessions=64, log=None):
        self.store = SessionStore(idle_timeout=idle_timeout, max_sessions=max_sessions)
        self.log = log  # a file for request errors (None: stderr)
        self.stopping = threading.Event()
        super().__init__(address, Handler)
        self._sweeper = threading.Thread(target=self._sweep, name="playground-sweeper",
                                         daemon=True)
        self._sweeper.start()

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def _sweep(self):
        period = min(5.0, self.store.idle_timeout / 2)
        while not self.stopping.wait(period):
            self.store.sweep()

    def start(self):
        """Serve in a background thread; returns it (stop with shutdown())."""
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                  name="playground-server", daemon=True)
        thread.start()
        return thread

    def shutdown(self):
        self.stopping.set()
        for session_id in self.store.ids():
            self.store.delete(session_id)  # wakes and ends every open stream
        super().shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "neuronet-playground"

    def log_message(self, format, *args):  # quiet: one line per request is noise here
        pass

    # --- dispatch --------------------------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        try:
            self._route(method, self.path.split("?", 1)[0].rstrip("/") or "/")
        except HTTPError as e:
            self._send_json(e.status, {"error": str(e)})
        except ParamError as e:
            self._send_json(400, {"error": str(e)})
        except UnknownSession as e:
            self._send_json(404, {"error": str(e)})
        except TooManySessions as e:
            self._send_json(503, {"error": str(e)})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug: answer, log, keep serving
            print(f"playground: {method} {self.path} failed:\n{traceback.format_exc()}",
                  file=self.server.log or sys.stderr)
            self._send_json(500, {"error": f"internal error ({type(e).__name__}: {e})"})

    def _route(self, method, path):
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/":
            return self._send_static("index.html")
        if method == "GET" and len(parts) == 2 and parts[0] == "static":
            return self._send_static(parts[1])
        if parts[:2] != ["api", "sessions"] or len(parts) > 4:
            raise HTTPError(404, f"no such address: {method} {path[:80]}")
        store = self.server.store
        if len(parts) == 2 and method == "POST":
            body = self._read_json()
            if not isinstance(body, dict) or set(body) - {"kind", "config"}:
                raise ParamError('a new session needs {"kind": ..., "config": {...}}')
            session = store.create(body.get("kind"), body.get("config", {}))
            return self._send_json(201, session.state())
        if len(parts) < 3:
            raise HTTPError(405, f"{method} {path} is not allowed; POST creates a session")
        session = store.get(parts[2])
        verb = parts[3] if len(parts) == 4 else None
        if (method, verb) == ("GET", None):
            return self._send_json(200, session.state())
        if (method, verb) == ("DELETE", None):
            store.delete(session.id)
            return self._send_json(200, {"deleted": session.id})
        if (method, verb) == ("POST", "config"):
            session.configure(self._read_json())
            return self._send_json(200, session.state())
        if (method, verb) == ("POST", "action"):
            body = self._read_json()
            if not isinstance(body, dict) or set(body) - {"name", "args"}:
                raise ParamError('an action needs {"name": ..., "args": {...}}')
            session.act(body.get("name"), body.get("args", {}))
            return self._send_json(200, session.state())
        if (method, verb) == ("GET", "stream"):
            return self._stream(session)
        raise HTTPError(404, f"no such address: {method} {path[:80]}")

    # --- reading and answering -------------------------------------------------------------

    def _read_json(self):
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            raise HTTPError(400, "Content-Length must be a number") from None
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise HTTPError(413, f"the request body must be at most {MAX_BODY} bytes, got "
                                 f"{length}")
        raw = self.rfile.read(length)
        try:
            return json.loads(raw or b"{}", parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as e:
            raise HTTPError(400, f"the request body is not valid JSON ({e})") from None

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status, value):
        self._send(status, "application/json", _dump(value))

    def _send_static(self, name):
        if name not in STATIC:
            raise HTTPError(404, f"no such file: {name[:80]}")
        body = resources.files("neuronet.playground").joinpath("static", name).read_bytes()
        self._send(200, STATIC[name], body)

    def _stream(self, session):
        """The session's WebSocket, until the session is freed or the page goes away."""
        key = self.headers.get("Sec-WebSocket-Key")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not valid_key(key):
            raise HTTPError(400, "the stream is a WebSocket: send Upgrade: websocket and a "
                                 "Sec-WebSocket-Key")
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(key))
        self.end_headers()
        self.close_connection = True
        socket = WebSocket(self.rfile, self.wfile)
        sent_version, sent_data, quiet_since = -1, -1, time.monotonic()
        try:
            while not (session.closed or socket.closed.is_set()
                       or self.server.stopping.is_set()):
                # an open stream keeps its session alive
                session.last_seen = frame_start = time.monotonic()
                try:
                    session.advance_frame(FRAME)
                except ParamError as e:  # e.g. the loss diverged: say so, stay paused
                    _send_event(socket, "failure", {"error": str(e)})
                with session.lock:
                    if session.version == sent_version and not session.closed:
                        session.changed.wait(WAKE)
                        if time.monotonic() - quiet_since > KEEPALIVE:
                            socket.ping()
                            quiet_since = time.monotonic()
                        continue
                    state = None if session.closed else session.state(
                        with_data=session.data_version != sent_data)
                if state is None:
                    break
                sent_version, sent_data = state["version"], state["data_version"]
                _send_event(socket, "state", state)
                quiet_since = time.monotonic()
                rest = FRAME - (quiet_since - frame_start)
                if state["playing"] and rest > 0:  # a quick frame (a few rule steps): pace it
                    with session.lock:
                        session.changed.wait(rest)
            if session.closed:
                _send_event(socket, "closed", {"reason": "the session was freed"})
        except OSError:
            pass  # the tab went away
        finally:
            socket.close()


def _send_event(socket, name, value):
    socket.send_text(_dump({"event": name, "data": value}))


def _dump(value):
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number the playground accepts")
