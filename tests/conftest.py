"""Shared fixtures: a fresh case in a temporary folder, small file writers, the demo case, and a
real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.case import Case

DATA = Path(__file__).parent / "data"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def case(tmp_path: Path) -> Case:
    """A new, empty case."""
    c = Case.create(tmp_path / "case", title="Test case", legal_basis="public interest research",
                    retention_until="2099-01-01", countries=["GB"])
    yield c
    c.close()


@pytest.fixture
def write_jsonl(tmp_path: Path):
    """Write objects (or raw strings, kept as they are) as lines of a .jsonl file."""

    def write(name: str, rows: list, *, newline: str = "\n", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
        path.write_bytes((newline.join(lines) + newline).encode(encoding))
        return path

    return write


def post(i: int, **extra) -> dict:
    """A generic post record, as a CSV/JSON export from some tool would have it."""
    return {"id": f"p{i}", "created_at": f"2024-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "text": f"post number {i} about the river fire", "author": f"user{i % 7}", **extra}


@pytest.fixture(scope="session")
def tiny_ner(tmp_path_factory) -> Path:
    """A tiny trained spaCy NER pipeline saved to a folder (trained once per test session)."""
    from tests import tiny

    return tiny.train(tmp_path_factory.mktemp("models") / "tiny_ner")


@pytest.fixture(scope="session")
def demo_case(tmp_path_factory) -> Case:
    """The demo case, imported, enriched (selectors and places, no trained pipeline) and located."""
    import warnings

    from workbench.demo import build_demo
    from workbench.enrich.pipeline import MissingModelWarning

    case, _ = build_demo(tmp_path_factory.mktemp("demo") / "demo", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingModelWarning)
        case.enrich(ner=False, progress=False)
    case.locate(progress=False)
    yield case
    case.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        # `make test` installs it; elsewhere, skipping must be asked for.
        message = "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
        if os.environ.get("WORKBENCH_SKIP_BROWSER"):
            pytest.skip(message)
        pytest.fail(message + ", or set WORKBENCH_SKIP_BROWSER=1 to skip the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def instance():
    """A Mastodon instance replayed on 127.0.0.1 holding 12 statuses (tests/mastodon_server.py)."""
    from tests.mastodon_server import Instance, status

    server = Instance([status(n) for n in range(12, 0, -1)])
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """A throwaway RFC 3161 time-stamping authority on 127.0.0.1 (``tests/tsa_server.py``), one
    per test module: ``(authority, url, server)``."""
    from tests.tsa_server import running_tsa

    with running_tsa(tmp_path_factory.mktemp("tsa")) as running:
        yield running


def refuse_network(page, allowed: tuple[str, ...] = ("file://",)) -> list[str]:
    """Let ``page`` load only URLs starting with ``allowed``; returns the list the refused URLs
    are added to as the page asks for them."""
    refused: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(allowed):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    return refused


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "far_dates: builds times past 2262 with pandas itself, which pandas 2.2 cannot "
        "hold in its default nanoseconds (the store's frames hold them on 2.2 too: test_dates)")


def pytest_collection_modifyitems(config, items):
    import pandas as pd

    if int(pd.__version__.split(".")[0]) >= 3:
        return
    skip = pytest.mark.skip(reason="pandas 2.2 builds far dates in nanoseconds (see the marker)")
    for item in items:
        if "far_dates" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _ctrl_c_as_python_has_it():
    """Each test starts with Python's own Ctrl-C handler: a library that an earlier test ran in
    this process may have left SIGINT ignored, which the tests that press Ctrl-C (and the
    processes they start, which inherit it) would then never see."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
