"""The page in a real browser: Debian's Chromium, headless, driven by Playwright. It loads
without a console error, a click on play trains XOR until the loss falls below 0.1, the other
pages work, a screenshot is saved; a bad parameter shows a message, not a broken page."""

import shutil
import time

import pytest

playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                                reason="no chromium (make browser installs Debian's)")


@pytest.fixture
def page(server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # one context: its tabs share the browser's connections to the server, as a user's do
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.problems = []
        page.on("console", lambda m: m.type in ("error", "warning") and page.problems.append(
            m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.goto(server.url)
        page.wait_for_function("document.getElementById('network-train-loss').textContent "
                               "!== '-'")
        yield page
        browser.close()


def loss(page, which="train"):
    return float(page.inner_text(f"#network-{which}-loss"))


def test_play_trains_xor_below_the_threshold_in_bounded_time(page, server, tmp_path):
    page.click("#network-dataset-xor")
    page.wait_for_function("document.getElementById('network-dataset-xor').classList"
                           ".contains('active')")
    start_loss = loss(page)
    started = time.monotonic()
    page.click("#network-play")
    page.wait_for_function("Number(document.getElementById('network-train-loss').textContent)"
                           " < 0.1", timeout=30000)
    took = time.monotonic() - started
    page.click("#network-play")  # pause
    page.wait_for_function("document.getElementById('network-play').textContent === 'play'")
    assert start_loss > 0.5 and took < 30
    (session,) = [server.store.get(i) for i in server.store.ids()]
    assert session.config["dataset"] == "xor" and session.losses()[0] < 0.1
    assert page.locator("#network-graph .neuron canvas").count() == 2 + 4 + 2 + 1
    assert page.locator("#network-graph svg line").count() == 2 * 4 + 4 * 2 + 2
    page.screenshot(path=tmp_path / "network.png", full_page=True)
    assert (tmp_path / "network.png").stat().st_size > 20000
    assert page.problems == []


def test_clicks_build_the_network(page, server):
    (session,) = [server.store.get(i) for i in server.store.ids()]
    page.click("#network-add-layer")
    page.wait_for_function("document.getElementById('network-layer-count').textContent "
                           "=== '3 hidden layers'")
    page.click("#network-layer-1-add")
    page.wait_for_function("document.querySelectorAll('#network-graph .neuron canvas').length"
                           " === 2 + 5 + 2 + 2 + 1")
    page.click("#network-graph .feature[title^='x1x2']")
    page.wait_for_function("document.querySelectorAll('#network-graph svg line').length === "
                           "3 * 5 + 5 * 2 + 2 * 2 + 2")
    page.select_option("#network-optimizer", "adam")
    page.select_option("#network-activation", "relu")
    page.check("#network-batchnorm")
    page.wait_for_function("!document.getElementById('network-batchnorm').disabled")
    time.sleep(0.3)
    assert session.config["hidden"] == [5, 2, 2]
    assert session.config["features"] == ["x1", "x2", "x1x2"]
    assert (session.config["optimizer"], session.config["activation"]) == ("adam", "relu")
    assert session.config["batchnorm"] is True
    page.click("#network-step")
    page.wait_for_function("document.getElementById('network-step-count').textContent === '1'")
    page.check("#network-show-gradients")
    assert page.locator("#network-graph svg line title").first.text_content().startswith(
        "gradient")
    assert page.problems == []


def test_a_refused_parameter_shows_a_message(page, server):
    page.check("#network-batchnorm")
    page.wait_for_function("document.getElementById('network-batchnorm').checked")
    page.evaluate("""() => {
        const range = document.getElementById('network-batch_size');
        range.value = 1;
        range.dispatchEvent(new Event('change'));
    }""")
    page.wait_for_selector("#message:not([hidden])")
    assert "batch norm needs batch_size >= 2" in page.inner_text("#message")
    page.wait_for_function("document.getElementById('network-batch_size').value === '10'")
    # the browser itself logs the refused request; nothing else went wrong
    assert page.problems == ["Failed to load resource: the server responded with a status of "
                             "400 (Bad Request)"]


def test_the_perceptron_hopfield_and_som_pages(page, server, tmp_path):
    page.click("#tabs button[data-page=perceptron]")
    page.wait_for_function("document.getElementById('perceptron-wrong').textContent !== '-'")
    page.click("#perceptron-step")
    page.wait_for_function("document.getElementById('perceptron-last').textContent"
                           ".startsWith('sample')")
    page.click("#perceptron-play")
    page.wait_for_function("document.getElementById('perceptron-finished').textContent"
                           ".startsWith('Converged')", timeout=30000)
    assert page.inner_text("#perceptron-wrong") == "0"

    page.click("#tabs button[data-page=hopfield]")
    page.wait_for_selector("#hopfield-status:has-text('Draw a pattern')")
    page.click("#hopfield-random")
    page.click("#hopfield-random")
    page.wait_for_function("document.querySelectorAll('#hopfield-patterns canvas').length === 2")
    page.click("#hopfield-patterns canvas >> nth=0")
    page.wait_for_selector("#hopfield-patterns figcaption:has-text('overlap 1.00')")
    page.click("#hopfield-noise")
    page.wait_for_function("!document.querySelector('#hopfield-patterns figcaption')"
                           ".textContent.includes('1.00')")
    page.click("#hopfield-play")
    page.wait_for_selector("#hopfield-status:has-text('settled')", timeout=30000)
    hopfield = [server.store.get(i) for i in server.store.ids()
                if server.store.get(i).KIND == "hopfield"][0]
    assert hopfield.state()["overlaps"][0] == 1.0

    page.click("#tabs button[data-page=som]")
    page.wait_for_function("document.getElementById('som-error').textContent !== '-'")
    page.select_option("#som-rows", "5")
    page.wait_for_function("document.getElementById('som-rows').value === '5'")
    page.click("#som-play")
    page.wait_for_function("Number(document.getElementById('som-step-count').textContent) >"
                           " 300", timeout=30000)
    page.screenshot(path=tmp_path / "som.png", full_page=True)
    assert len(server.store) == 4 and page.problems == []


def test_closing_the_page_frees_its_sessions(page, server):
    assert len(server.store) == 1
    page.goto("about:blank")
    deadline = time.monotonic() + 5
    while len(server.store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.store) == 0


def test_eight_tabs_train_at_once(page, server):
    """More tabs than the 6 HTTP/1.1 connections a browser keeps to one host: each streams
    over its own WebSocket, so all of them train and show it."""
    tabs = [page] + [page.context.new_page() for _ in range(7)]
    for tab in tabs[1:]:
        tab.goto(server.url)
        tab.wait_for_function("document.getElementById('network-train-loss').textContent "
                              "!== '-'")
    for tab in tabs:
        tab.click("#network-play")
    for tab in tabs:
        tab.wait_for_function("Number(document.getElementById('network-step-count')"
                              ".textContent) > 500", timeout=30000)
    assert len(server.store) == 8
    assert all(server.store.get(i).step_count > 500 for i in server.store.ids())
