"""Talking to a test's playground server: one HTTP request, or its WebSocket stream read
frame by frame (a small client of our own, so the tests need no WebSocket package)."""

import http.client
import json
import socket


def request(server, method, path, body=None, raw=None, headers=None):
    """(status, parsed JSON answer) of one request; `raw` sends bytes as they are."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    connection.request(method, path, body=data, headers=headers or {})
    response = connection.getresponse()
    text = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, json.loads(text) if kind == "application/json" else text


def open_stream(server, session_id, key="dGhlIHNhbXBsZSBub25jZQ=="):
    """A WebSocket to the session's stream: (socket, its buffered reader) after the handshake,
    which must be answered 101 with the right accept key."""
    sock = socket.create_connection(server.server_address[:2], timeout=10)
    sock.sendall((f"GET /api/sessions/{session_id}/stream HTTP/1.1\r\nHost: x\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    reader = sock.makefile("rb")
    status = reader.readline()
    headers = {}
    for line in iter(reader.readline, b"\r\n"):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    assert status.startswith(b"HTTP/1.1 101"), status
    # RFC 6455's own example of a key and its answer
    assert headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    return sock, reader


def read_message(reader):
    """(opcode, payload) of the server's next frame (servers do not mask)."""
    head = reader.read(2)
    if len(head) < 2:
        return None, b""
    size = head[1] & 0x7F
    if size >= 126:
        size = int.from_bytes(reader.read(2 if size == 126 else 8), "big")
    return head[0] & 0x0F, reader.read(size)


def client_frame(opcode, payload, mask=b"\x01\x02\x03\x04"):
    """A masked client frame of fewer than 126 bytes."""
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def events(server, session_id):
    """The session's stream: yields (event name, parsed data) until the server closes it."""
    sock, reader = open_stream(server, session_id)
    try:
        while True:
            opcode, payload = read_message(reader)
            if opcode != 1:  # a close frame, or the end of the connection
                return
            message = json.loads(payload)
            yield message["event"], message["data"]
    finally:
        sock.close()
