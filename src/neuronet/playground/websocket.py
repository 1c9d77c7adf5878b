"""The server's half of the WebSocket protocol (RFC 6455), as much as the playground needs:
the opening handshake, text messages out, and the client's control frames in.

    accept = accept_key(headers["Sec-WebSocket-Key"])      # the handshake's answer
    socket = WebSocket(rfile, wfile)
    socket.send_text('{"event": "state", ...}')
    socket.closed                                        # set when the client said goodbye

A browser opens far more WebSockets to one host than HTTP/1.1 connections (6), so every tab
keeps its own live stream. The client sends nothing but control frames here (close, ping,
pong); a data frame from it, or one larger than MAX_FRAME, ends the connection.
"""

import base64
import hashlib
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # fixed by RFC 6455
MAX_FRAME = 1 << 16  # bytes: the most a client frame may carry here
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def accept_key(key):
    """The Sec-WebSocket-Accept answer to a client's Sec-WebSocket-Key."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def valid_key(key):
    """A Sec-WebSocket-Key is base64 of 16 bytes."""
    try:
        return key is not None and len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        return False


def frame(opcode, payload):
    """One unmasked, final frame (the server never masks): header + payload bytes."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return header + payload


def read_frame(rfile):
    """(opcode, unmasked payload) of the client's next frame; (None, b"") when the connection
    ended or broke the protocol (unmasked, too large, truncated)."""
    head = rfile.read(2)
    if len(head) < 2:
        return None, b""
    opcode, size = head[0] & 0x0F, head[1] & 0x7F
    masked = head[1] & 0x80
    if size >= 126:
        extra = rfile.read(2 if size == 126 else 8)
        if len(extra) < (2 if size == 126 else 8):
            return None, b""
        size = struct.unpack("!H" if size == 126 else "!Q", extra)[0]
    if not masked or size > MAX_FRAME:
        return None, b""
    mask = rfile.read(4)
    payload = rfile.read(size)
    if len(mask) < 4 or len(payload) < size:
        return None, b""
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class WebSocket:
    """An accepted connection: send_text from any thread; a reader thread answers pings and
    sets `closed` when the client closes, breaks the protocol or goes away."""

    def __init__(self, rfile, wfile):
        self.rfile, self.wfile = rfile, wfile
        self.closed = threading.Event()
        self._write = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="playground-websocket",
                                        daemon=True)
        self._reader.start()

    def send_text(self, text):
        """One text message: a str, or bytes already UTF-8."""
        self._send(TEXT, text.encode("utf-8") if isinstance(text, str) else text)

    def ping(self):
        """A ping the client must answer: a peer that went away makes a later write fail."""
        self._send(PING, b"")

    def close(self):
        """Say goodbye (status 1000) unless the client already went; never raises."""
        if not self.closed.is_set():
            try:
                self._send(CLOSE, struct.pack("!H", 1000))
            except OSError:
                pass
        self.closed.set()

    def _send(self, opcode, payload):
        with self._write:
            self.wfile.write(frame(opcode, payload))
            self.wfile.flush()

    def _read(self):
        try:
            while not self.closed.is_set():
                opcode, payload = read_frame(self.rfile)
                if opcode == PING:
                    self._send(PONG, payload)
                elif opcode != PONG:  # close, a data frame, or the end of the connection
                    if opcode == CLOSE:
                        self._send(CLOSE, payload[:2])
                    break
        except (OSError, ValueError):
            pass
        self.closed.set()
