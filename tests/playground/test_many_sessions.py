"""A load test on loopback: 20 sessions trained and streamed at once for 30 s, each client
also changing parameters and stepping now and then; none is dropped, every stream keeps
delivering frames, and the page is still served quickly meanwhile."""

import threading
import time

from loopback import events, request

SESSIONS = 20
SECONDS = 30.0
DATASETS = ("circle", "xor", "gauss", "spiral", "moons")


def client(server, k, report):
    """One tab: make a session, play it, read its stream for SECONDS, poke it meanwhile."""
    kind = ("network", "network", "som", "perceptron")[k % 4]
    config = {"dataset": DATASETS[k % 5]}
    if kind == "perceptron":
        config["max_epochs"] = 1000
    status, state = request(server, "POST", "/api/sessions", {"kind": kind, "config": config})
    assert status == 201, state
    path = f"/api/sessions/{state['id']}"
    frames, gaps, last, closed = 0, [], time.monotonic(), False
    request(server, "POST", f"{path}/action", {"name": "play"})
    end = time.monotonic() + SECONDS
    for name, frame in events(server, state["id"]):
        now = time.monotonic()
        gaps.append(now - last)
        last = now
        frames += name == "state"
        closed |= name == "closed"
        if frames % 25 == 0 and kind == "network":  # a change made while it trains
            lr = (0.01, 0.03, 0.1)[frames // 25 % 3]
            assert request(server, "POST", f"{path}/config", {"learning_rate": lr})[0] == 200
        if not frame.get("playing", True) and now < end:  # the SOM and perceptron finish
            request(server, "POST", f"{path}/action", {"name": "reset"})
            request(server, "POST", f"{path}/action", {"name": "play"})
        if now > end or closed:
            break
    report[k] = {"frames": frames, "largest_gap": max(gaps), "closed": closed,
                 "alive": request(server, "GET", path)[0] == 200}


def test_twenty_sessions_for_thirty_seconds_none_dropped(server):
    report = {}
    threads = [threading.Thread(target=client, args=(server, k, report)) for k in range(SESSIONS)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS / 2)
    started = time.monotonic()
    status, _ = request(server, "GET", "/")
    page_time = time.monotonic() - started
    for thread in threads:
        thread.join(SECONDS + 60)
    assert len(report) == SESSIONS  # every client finished without an error
    assert len(server.store) == SESSIONS and server.store.freed == 0
    for k, r in report.items():
        assert r["alive"] and not r["closed"], (k, r)
        assert r["frames"] >= 20 and r["largest_gap"] < 10.0, (k, r)
    assert status == 200 and page_time < 2.0
    print({k: (r["frames"], round(r["largest_gap"], 2)) for k, r in sorted(report.items())})
