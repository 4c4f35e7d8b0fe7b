"""The capture browser: Debian's chromium, headless, driven by Playwright, a new browser process
with a fresh empty profile for every page (never the analyst's own profile, and nothing one page
leaves behind, cookies, storage or service workers, reaches the next).

The browser never reaches the network itself. It is started with a proxy that does not exist, so
a request that escaped interception would fail, and every request it makes is intercepted and
made by :mod:`workbench.capture.fetch` instead: checked, capped, and written to the capture's WARC
as received. A redirect of the page itself is followed by navigating to its target (so the page
gets its own address and each hop is checked and recorded); a redirect of a resource is followed
in Python and the final answer given to the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from workbench.capture.fetch import Fetched, FetchFailed, Limits, Refused, fetch, session
from workbench.capture.wacz import WARC_NAME, WarcRecorder
from workbench.errors import WorkbenchError

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        # Nothing leaves but through the interception: a proxy on port 0 refuses every connection,
        # loopback included, and WebRTC may not go around it.
        "--proxy-server=http://127.0.0.1:0", "--proxy-bypass-list=<-loopback>",
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp"]
VIEWPORT = {"width": 1280, "height": 900}
LAUNCH_TIMEOUT_S = 60.0
SETTLE_S = 2.0  # after the load event, how long the page may go on loading (network idle)
AFTER_LOAD_S = 30.0  # for the screenshot, the HTML and the text, once the page has loaded
SHOT_MAX_HEIGHT = 20_000  # pixels: an endless page is cut here
#: Playwright's word for a browser that went away (a crashed page says "crashed").
_GONE = "has been closed"


@dataclass
class PageCapture:
    """What the browser made of one URL: the page as shown, or why there is none."""

    url: str
    final_url: str | None = None
    status: int | None = None
    title: str | None = None
    redirects: list[dict] = field(default_factory=list)  # main-document hops before the page
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    loaded_at: datetime | None = None
    resources: int = 0  # exchanges recorded
    bytes: int = 0  # bytes received
    skipped: list[dict] = field(default_factory=list)  # resources not loaded: {url, reason}
    screenshot: bytes | None = None
    html: str | None = None
    text: str | None = None
    recorder: WarcRecorder | None = None
    failure: str | None = None
    user_agent: str | None = None


class Browser:
    """Chromium for a series of captures. Playwright runs on an event loop in a thread of its own,
    so captures work the same from the command line and from a notebook (whose loop is running)."""

    def __init__(self, limits: Limits, executable: Path = CHROMIUM):
        self.limits, self.executable = limits, executable
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> Browser:
        if not self.executable.exists():
            raise WorkbenchError(f"capture needs Debian's chromium at {self.executable}",
                                 hint="apt-get install chromium")
        try:
            from playwright.async_api import async_playwright
        except ImportError as exc:
            raise WorkbenchError("capture needs Playwright",
                                 hint="pip install 'socmint-workbench[capture]'") from exc
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="capture-browser")
        self._thread.start()
        self._pw = self._run(async_playwright().start())
        return self

    def capture(self, url: str, workdir: Path) -> PageCapture:
        """Capture ``url``, its WARC and profile in ``workdir`` (which the caller removes)."""
        return self._run(_capture(self._pw, url, workdir, self.limits, self.executable))

    def _run(self, coro):
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # Ctrl-C: the page's browser is closed on the way out
            raise

    def __exit__(self, *exc: object) -> None:
        for done in (self._pw.stop(), _cancel_pending()):
            with contextlib.suppress(Exception):  # an interrupted driver may be gone already
                asyncio.run_coroutine_threadsafe(done, self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        if not self._thread.is_alive():
            self._loop.close()


async def _capture(pw, url: str, workdir: Path, limits: Limits, executable: Path) -> PageCapture:
    from playwright.async_api import Error as PlaywrightError

    try:
        context = await pw.chromium.launch_persistent_context(
            str(workdir / "profile"), executable_path=str(executable), headless=True, args=ARGS,
            accept_downloads=False, service_workers="block", viewport=VIEWPORT,
            timeout=LAUNCH_TIMEOUT_S * 1000)
    except PlaywrightError as exc:  # no fault of the page's: the run stops
        raise WorkbenchError(f"the browser did not start: {_first_line(exc)}") from None
    result = PageCapture(url=url)
    result.recorder = WarcRecorder(workdir / WARC_NAME, page_url=url)
    state = _Page(result, limits)
    try:
        await context.route("**/*", state.route)
        page = context.pages[0] if context.pages else await context.new_page()
        state.page = page
        context.on("page", state.popup)
        await asyncio.wait_for(state.load(url), timeout=max(0.1, state.deadline - time.monotonic()))
        if result.failure is None:
            state.deadline = time.monotonic() + AFTER_LOAD_S
            await asyncio.wait_for(_record_page(page, result), timeout=AFTER_LOAD_S)
    except TimeoutError:
        result.failure = result.failure or (f"timed out: the page did not finish loading within "
                                            f"{limits.timeout_s:g} s")
    except PlaywrightError as exc:
        if result.failure is None and _GONE in str(exc):  # closed by no one here: Ctrl-C, a kill
            raise WorkbenchError(f"the browser stopped: {_first_line(exc)}") from None
        result.failure = result.failure or _reason(exc, limits)
    finally:
        state.closed = True
        await _quietly(context.close())
        state.http.close()
        result.recorder.close()
    return result


async def _record_page(page, result: PageCapture) -> None:
    """The page as shown: its address, title, full-page screenshot, rendered HTML and text."""
    result.final_url = page.url
    result.title = await page.title()
    height = await page.evaluate("() => Math.max(document.documentElement.scrollHeight, "
                                 "document.body ? document.body.scrollHeight : 0)")
    clip = None
    if height and height > SHOT_MAX_HEIGHT:
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": SHOT_MAX_HEIGHT}
    result.screenshot = await page.screenshot(full_page=True, type="png", clip=clip,
                                              animations="disabled")
    result.html = await page.content()
    result.text = await page.evaluate("() => document.body ? document.body.innerText : ''")
    at = datetime.now(UTC)
    result.recorder.resource(f"urn:view:{result.final_url}", "image/png", result.screenshot, at)
    result.recorder.resource(f"urn:text:{result.final_url}", "text/plain; charset=utf-8",
                             result.text.encode("utf-8"), at)


class _Page:
    """One page's interception: fetches each request, records it, answers the browser."""

    def __init__(self, result: PageCapture, limits: Limits):
        self.result, self.limits = result, limits
        self.deadline = time.monotonic() + limits.timeout_s
        self.http = session(limits)
        self.page = None
        self.closed = False
        self.redirect: str | None = None
        self.shown: str | None = None  # the last page the browser was given

    async def load(self, url: str) -> None:
        """Navigate to ``url`` and on through the page's redirects, to a loaded page."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        target = url
        for _ in range(self.limits.max_redirects + 1):
            self.redirect = None
            await self.page.goto(target, wait_until="load",
                                 timeout=max(1, self.deadline - time.monotonic()) * 1000)
            if self.result.failure:
                return
            if self.redirect is None:  # what scripts load after the load event, within a moment
                with contextlib.suppress(PlaywrightTimeout):
                    await self.page.wait_for_load_state("networkidle", timeout=SETTLE_S * 1000)
            if self.redirect is None:
                await self.page.wait_for_load_state(
                    "load", timeout=max(1, self.deadline - time.monotonic()) * 1000)
                self.result.loaded_at = datetime.now(UTC)
                return
            target = self.redirect
        self.result.failure = f"more than {self.limits.max_redirects} redirects"

    def popup(self, page) -> None:
        if page is not self.page:
            asyncio.ensure_future(_quietly(page.close()))

    async def route(self, route) -> None:
        request = route.request
        if self.closed or self.result.failure:
            await _quietly(route.abort())
            return
        main = request.is_navigation_request() and request.frame.parent_frame is None
        try:
            headers = await request.all_headers()
            agent = headers.get("user-agent", "").replace("HeadlessChrome/", "Chrome/")
            if agent:
                headers["user-agent"] = self.result.user_agent = agent
            answer = await self._fetch(request.method, request.url, headers,
                                       request.post_data_buffer or b"", main)
        except FetchFailed as exc:
            if main:
                self.result.failure = str(exc)
            else:
                self.result.skipped.append({"url": request.url, "reason": str(exc)})
            await _quietly(route.abort())
            return
        if answer is None:  # the page redirects: a blank stand-in, then load() goes on
            await _quietly(route.fulfill(status=200, body=b"", content_type="text/html"))
            return
        await _quietly(route.fulfill(status=answer.status, headers=answer.browser_headers(),
                                     body=answer.body))

    async def _fetch(self, method: str, url: str, headers: dict, body: bytes,
                     main: bool) -> Fetched | None:
        """The final answer to a request (resource redirects followed here), or None when the
        page itself redirects (its target noted in ``self.redirect``)."""
        for _ in range(self.limits.max_redirects + 1):
            fetched = await asyncio.to_thread(fetch, self.http, method, url, headers, body,
                                              self.limits, self.deadline, navigation=main)
            if self.closed:
                raise FetchFailed("the capture had ended")
            self._keep(fetched)
            location = fetched.header("Location")
            if not (300 <= fetched.status < 400 and location):
                if main:
                    if self.shown:  # the page sent the browser on (a script, a refresh)
                        self.result.redirects.append({"url": self.shown, "status": self.result.status,
                                                      "to": url, "by": "the page"})
                    self.shown, self.result.status = url, fetched.status
                return fetched
            target = urljoin(url, location.strip())
            scheme = urlsplit(target).scheme.lower()
            if main:
                self.result.redirects.append({"url": url, "status": fetched.status, "to": target,
                                              "by": "HTTP"})
            if scheme not in ("http", "https"):
                raise Refused(f"redirect to another scheme ({scheme}:) from {url}")
            if main:
                self.redirect = target
                return None
            method, url, body = ("GET", target, b"") if fetched.status in (301, 302, 303) else (
                method, target, body)
        raise FetchFailed(f"more than {self.limits.max_redirects} redirects")

    def _keep(self, fetched: Fetched) -> None:
        self.result.recorder.exchange(fetched)
        self.result.resources += 1
        self.result.bytes += len(fetched.raw)
        if self.result.bytes > self.limits.page_bytes:
            self.result.failure = (f"too large: the page loaded more than the cap of "
                                   f"{self.limits.page_bytes} bytes")
            raise FetchFailed(self.result.failure)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _reason(exc: Exception, limits: Limits) -> str:
    """A Playwright error as a reason for the record: its first line, without the call log."""
    message = _first_line(exc)
    if "Download is starting" in message:
        return "a download, not a page"
    if "Timeout" in type(exc).__name__ or "Timeout " in message:
        return f"timed out: the page did not finish loading within {limits.timeout_s:g} s"
    return message.removeprefix("Page.goto: ")[:300]


async def _cancel_pending() -> None:
    """End what an interrupted page left running (route handlers), so none dies unawaited."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def _quietly(awaitable) -> None:
    """Await a call whose failure changes nothing (the page or its browser may be gone)."""
    with contextlib.suppress(Exception):
        await awaitable
