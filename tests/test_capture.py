"""Captures of the pages posts link to: Debian's chromium (Playwright) loads pages a server on
127.0.0.1 serves; each capture keeps a WACZ, a screenshot, the HTML and the text, hashed, audited
and linked to the items citing the page. Hostile pages fail with their reason and the others go
on; verify catches a changed byte; purge takes captures with their items."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from tests.local_server import QuietHandler, serve
from workbench.capture import capture
from workbench.capture.browser import CHROMIUM
from workbench.capture.fetch import Limits, Refused, address_allowed, fetch, parse_networks, session
from workbench.capture.wacz import surt
from workbench.case import Case
from workbench.errors import WorkbenchError

PNG = io.BytesIO()
Image.new("RGB", (40, 30), (200, 30, 30)).save(PNG, "PNG")
PAGE = (b"<!doctype html><html><head><title>Plant fire: the statement</title></head><body>"
        b"<h1>Statement on the fire</h1><img src='/img.png' width=40 height=30>"
        b"<img src='http://127.0.0.2:PORT/img.png'>"  # another loopback address: not allowed
        b"<script>fetch('/data.json').then(r => r.json()).then(d => {"
        b"document.body.insertAdjacentHTML('beforeend', '<p id=late>' + d.said + '</p>')})</script>"
        b"</body></html>")
ROUTES = {
    "/article": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
    "/img.png": (200, {"Content-Type": "image/png"}, PNG.getvalue()),
    "/data.json": (200, {"Content-Type": "application/json"}, b'{"said": "loaded by a script"}'),
    "/s/Ab3": (301, {"Location": "/go/Ab3"}, b""),
    "/go/Ab3": (302, {"Location": "/article?utm_source=short"}, b""),
    "/never": (200, {"Content-Type": "text/html"}, b"<html><body>still loading<img src='/hang'>"),
    "/report.zip": (200, {"Content-Type": "application/zip",
                          "Content-Disposition": "attachment; filename=report.zip"}, b"PK\x03\x04" * 64),
    "/elsewhere": (302, {"Location": "file:///etc/passwd"}, b""),
}


SEEN: list[tuple[str, str]] = []  # (server address, path) of every request served


class Site(QuietHandler):
    def do_GET(self):
        SEEN.append((self.server.server_address[0], self.path))
        if self.path == "/hang":  # a resource that never comes: the page never finishes loading
            time.sleep(15)
            return
        code, headers, body = ROUTES.get(self.path.split("?")[0], (404, {}, b"not found"))
        self.send_response(code)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body.replace(b"PORT", str(self.server.server_address[1]).encode()))


@pytest.fixture(scope="module")
def site():
    """The site on 127.0.0.1, and the same on 127.0.0.2 (its pages' one foreign image)."""
    server, base = serve(Site)
    other = ThreadingHTTPServer(("127.0.0.2", server.server_address[1]), Site)
    threading.Thread(target=other.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield base
    for each in (server, other):
        each.shutdown()
        each.server_close()


def needs_chromium():
    if not CHROMIUM.exists():
        message = "needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
        if os.environ.get("WORKBENCH_SKIP_BROWSER"):
            pytest.skip(message)
        pytest.fail(message + ", or set WORKBENCH_SKIP_BROWSER=1 to skip the browser tests")


def new_case(path: Path, base: str) -> Case:
    case = Case.create(path, title="Plant fire", legal_basis="public interest research",
                       retention_until="2099-01-01")
    posts = [
        {"id": "1", "text": f"The company's statement: {base}/article", "author": "ann"},
        {"id": "2", "text": f"short link {base}/s/Ab3, read it.", "author": "bob"},
        {"id": "3", "text": f"see {base}/never and {base}/report.zip", "author": "cem"},
        {"id": "4", "text": f"moved: {base}/elsewhere", "author": "dan"},
    ]
    source = path.parent / f"{path.name}.jsonl"
    source.write_text("".join(json.dumps({**p, "created_at": "2024-03-07T10:00:00Z"}) + "\n"
                              for p in posts))
    case.import_file(source, progress=False)
    return case


@pytest.fixture(scope="module")
def captured(tmp_path_factory, site):
    """One run: the shortener named first, then every page the items cite."""
    needs_chromium()
    case = new_case(tmp_path_factory.mktemp("capture") / "case", site)
    started = time.monotonic()
    result = capture(case, [f"{site}/s/Ab3"], from_items=True, allow_private=["127.0.0.1"],
                     timeout_s=4, progress=False)
    yield case, result, time.monotonic() - started
    case.close()


def uid_of(case: Case, post: str) -> str:
    return case.db.execute("SELECT uid FROM items WHERE id = ?", [post]).fetchone()[0]


def row_of(case: Case, path: str):
    rows = case.captures()
    return rows[rows["url"].str.endswith(path)].iloc[0]


def test_a_page_is_kept_as_wacz_screenshot_html_and_text(captured):
    case, result, _ = captured
    row = row_of(case, "/s/Ab3")
    assert row["status"] == "captured" and row["http_status"] == 200
    assert row["title"] == "Plant fire: the statement"
    files = {c: case.capture_store.path(row[c]) for c in
             ("wacz_sha256", "screenshot_sha256", "html_sha256", "text_sha256")}
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == row[c] for c, p in files.items())
    shot = Image.open(files["screenshot_sha256"])
    assert shot.format == "PNG" and shot.width == 1280
    # The script ran: its paragraph is in the rendered HTML and the text.
    assert 'id="late">loaded by a script' in files["html_sha256"].read_text()
    assert "loaded by a script" in files["text_sha256"].read_text()
    assert "Statement on the fire" in files["text_sha256"].read_text()
    assert row["user_agent"] and "HeadlessChrome" not in row["user_agent"]
    # The page's image on another private address was refused before a byte was sent to it.
    assert [s["reason"].split(",")[0] for s in row["skipped"]] == [
        "refused: 127.0.0.2 is at 127.0.0.2"]
    assert not [path for address, path in SEEN if address == "127.0.0.2"]


def test_the_wacz_holds_everything_the_browser_loaded(captured):
    case, _, _ = captured
    wacz = case.capture_store.path(row_of(case, "/s/Ab3")["wacz_sha256"])
    with zipfile.ZipFile(wacz) as zf:
        package = json.loads(zf.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        assert package["mainPageUrl"].endswith("/article?utm_source=short")
        for resource in package["resources"]:  # each file's hash as the package states it
            data = zf.read(resource["path"])
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(zf.read("datapackage.json")).hexdigest()
        assert zf.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        index = [line.split(" ", 2) for line in zf.read("indexes/index.cdx").decode().splitlines()]
        pages = zf.read("pages/pages.jsonl").decode().splitlines()
        warc = zf.read("archive/data.warc.gz")
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    urls = {json.loads(entry[2])["url"].split("//", 1)[-1].split("/", 1)[-1] for entry in index}
    # the redirect hops, the page, its image and what its script fetched; the screenshot, the text
    assert {"s/Ab3", "go/Ab3", "article?utm_source=short", "img.png", "data.json"} <= urls
    assert any(e[2].find('"urn:view:') > 0 for e in index)
    assert [e[0] for e in index] == sorted(e[0] for e in index)
    bodies = {}
    for entry in index:  # each index line points at its record
        line = json.loads(entry[2])
        record = next(iter(ArchiveIterator(io.BytesIO(warc[int(line["offset"]):]))))
        assert record.rec_headers.get_header("WARC-Target-URI") == line["url"]
        if "status" in line:  # a response: from the address it came from
            assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
        bodies[line["url"].rsplit("/", 1)[-1]] = record.content_stream().read()
    assert bodies["img.png"] == PNG.getvalue()
    assert bodies["data.json"] == b'{"said": "loaded by a script"}'


def test_a_shortener_is_expanded_through_the_capture(captured, site):
    case, result, _ = captured
    row = row_of(case, "/s/Ab3")
    assert row["final_url"] == f"{site}/article?utm_source=short"
    assert [(h["url"].removeprefix(site), h["status"]) for h in row["redirects"]] == [
        ("/s/Ab3", 301), ("/go/Ab3", 302)]
    # The post citing the article itself is linked to the capture the short link led to: the
    # article is not captured twice.
    assert sorted(row["uids"]) == sorted([uid_of(case, "1"), uid_of(case, "2")])
    assert result.already == 1 and not (case.captures()["url"] == f"{site}/article").any()


def test_hostile_pages_fail_with_their_reason_and_the_others_go_on(captured):
    case, result, elapsed = captured
    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in result.failed}
    assert reasons["never"].startswith("timed out")
    assert reasons["report.zip"].startswith("a download, not a page")
    assert reasons["elsewhere"].startswith("redirect to another scheme (file:)")
    assert len(result.captured) == 1 and result.status == "done"
    failed = case.captures().set_index("status").loc["failed"]
    assert len(failed) == 3 and failed["wacz_sha256"].isna().all()
    assert elapsed < 90
    actions = [r[0] for r in case.db.execute("SELECT action FROM audit ORDER BY seq")]
    assert actions.count("capture.stored") == 1 and actions.count("capture.failed") == 3
    # The audit log names no URL (a purge could not take it back): the rows, in the ledger, do.
    details = " ".join(r[0] for r in case.db.execute(
        "SELECT detail FROM audit WHERE action LIKE 'capture.%'"))
    assert "127.0.0.1" not in details


def test_captured_pages_are_skipped_the_next_time(captured, site):
    case, _, _ = captured
    started = time.monotonic()
    again = capture(case, [f"{site}/article"], allow_private=["127.0.0.1"], progress=False)
    assert again.already == 1 and not again.captured and not again.failed
    assert time.monotonic() - started < 5  # no browser was started


def test_private_addresses_are_refused_unless_allowed(tmp_path, site):
    case = new_case(tmp_path / "case", site)
    result = capture(case, from_items=True, progress=False)
    assert len(result.failed) == 5 and not result.captured
    assert all("private, loopback or reserved address" in f["reason"] and "--allow-private"
               in f["reason"] for f in result.failed)
    assert not case.capture_store.root.exists()
    only = capture(case, uids=[uid_of(case, "3")], progress=False)  # the pages one post cites
    assert sorted(f["url"].rsplit("/", 1)[-1] for f in only.failed) == ["never", "report.zip"]
    with pytest.raises(WorkbenchError, match="no such items: x:1"):
        capture(case, uids=["x:1"], progress=False)
    assert not address_allowed("10.1.2.3", ()) and not address_allowed("::ffff:127.0.0.1", ())
    assert not address_allowed("169.254.169.254", ()) and address_allowed("8.8.8.8", ())
    assert address_allowed("10.1.2.3", parse_networks(["10.0.0.0/8"]))
    assert case.verify().ok


def test_verify_catches_a_changed_byte(captured, tmp_path):
    case, _, _ = captured
    copy = Case.open(shutil.copytree(case.path, tmp_path / "copy"))
    assert copy.verify().ok and copy.verify().checked["capture files"] == 4
    sha = row_of(copy, "/s/Ab3")["screenshot_sha256"]
    path = copy.capture_store.path(sha)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    report = copy.verify()
    assert not report.ok
    assert any(p.startswith(f"captures/{sha[:2]}/{sha}: altered") for p in report.problems)
    copy.db.execute("UPDATE captures SET final_url = 'http://elsewhere.example/' "
                    "WHERE status = 'captured'")
    assert any("captures row" in p and "edited outside" in p for p in copy.verify().problems)
    copy.close()


def test_purge_takes_the_captures_with_their_items(captured, tmp_path, site):
    case, _, _ = captured
    copy = Case.open(shutil.copytree(case.path, tmp_path / "copy"))
    row = row_of(copy, "/s/Ab3")
    files = [copy.capture_store.path(row[c]) for c in ("wacz_sha256", "screenshot_sha256")]
    copy.purge(items=[uid_of(copy, "1")])  # the other citing item keeps it
    assert row_of(copy, "/s/Ab3")["uids"] == [uid_of(copy, "2")]
    result = copy.purge(items=[uid_of(copy, "2"), uid_of(copy, "3")])
    assert result.captures == 3 and len(result.capture_destroyed) == 4
    assert not any(p.exists() for p in files)
    assert set(copy.captures()["url"]) == {f"{site}/elsewhere"}
    report = copy.verify()
    assert report.ok, report.problems
    assert "page captures" in result.summary()
    copy.close()


def test_the_command_line(tmp_path, site):
    needs_chromium()
    case_dir = tmp_path / "case"
    new_case(case_dir, site).close()

    def wb(*args):
        return subprocess.run([sys.executable, "-m", "workbench.cli", "capture", str(case_dir),
                               *args], capture_output=True, text=True, timeout=180)

    done = wb(f"{site}/article", "--allow-private", "127.0.0.1", "--timeout", "20")
    assert done.returncode == 0, done.stderr
    assert "1 pages captured" in done.stdout and "captured: http://127.0.0.1" in done.stdout
    refused = wb("ftp://example.org/x", "--allow-private", "nonsense")
    assert refused.returncode == 2 and "not an address or network" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_the_connection_itself_is_checked(site):
    """A name that resolved to a public address before may resolve to a private one when the
    connection is made: the address connected to is checked before the request is sent."""
    before = len(SEEN)
    with pytest.raises(Refused, match="127.0.0.1 is at 127.0.0.1, a private"):
        fetch(session(Limits()), "GET", f"{site}/article", {}, b"", Limits(), time.monotonic() + 5)
    allowed = Limits(allowed=parse_networks(["127.0.0.0/8"]))
    got = fetch(session(allowed), "GET", f"{site}/data.json", {"Cookie": "a=1"}, b"", allowed,
                time.monotonic() + 5)
    assert got.status == 200 and got.body == got.raw and got.peer == "127.0.0.1"
    assert [path for _, path in SEEN[before:]] == ["/data.json"]


def test_surt_keys():
    assert surt("https://www.Example.com/Path?b=2&a=1") == "com,example)/path?a=1&b=2"
    assert surt("http://127.0.0.1:8080/x") == "127.0.0.1:8080)/x"
    assert surt("urn:view:https://a.example/") == "urn:view:https://a.example/"
    assert Limits().allowed == ()
