"""``workbench capture``: capture the pages that items link to (or that the analyst names), keep
each one's files in ``captures/`` by their SHA-256, and link each capture to the items citing it.

For each page: a WACZ of everything the browser loaded, a full-page PNG screenshot, the rendered
HTML and its text (the page's ``innerText``: what it showed, not a guess at its article). Each
page is one transaction with its audit entry and ledger line, so an interrupted run keeps what it
captured and the next one skips it. A page that fails (it never finishes loading, it is a
download, it redirects to another scheme, its host is private or does not resolve) is recorded
with its reason and the others go on; the next run tries it again. The audit log names no URL:
they are in the rows, whose hashes the ledger keeps, so a purge leaves no trace of them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import sqlite_utils
from tqdm.auto import tqdm

import workbench
from workbench import audit
from workbench.capture.browser import CHROMIUM, Browser, PageCapture
from workbench.capture.fetch import FetchFailed, Limits, check_url, parse_networks
from workbench.capture.links import Cited, citations
from workbench.capture.wacz import write_wacz
from workbench.errors import WorkbenchError
from workbench.evidence import BlobStore
from workbench.query import frame
from workbench.store import chunks, write
from workbench.timeutil import now_text, to_text
from workbench.urls import link_key


class Case(Protocol):
    """What a capture needs of a case (:class:`workbench.case.Case` has it): the store, the
    ``captures/`` folder and the retention check."""

    db: sqlite_utils.Database
    capture_store: BlobStore

    def require_collection_allowed(self) -> None: ...

#: The files of a capture: column of ``captures``, name for people, media type.
FILES = (("wacz_sha256", "page.wacz", "application/wacz"),
         ("screenshot_sha256", "screenshot.png", "image/png"),
         ("html_sha256", "page.html", "text/html"),
         ("text_sha256", "page.txt", "text/plain"))


@dataclass
class CaptureResult:
    """What one capture run did."""

    run_id: int
    captured: list[dict] = field(default_factory=list)  # {"url", "final_url", "status"}
    already: int = 0  # captured before: skipped (their citing items linked)
    failed: list[dict] = field(default_factory=list)  # {"url", "reason"}
    status: str = "running"

    def summary(self) -> str:
        text = (f"capture: {len(self.captured)} pages captured, {self.already} captured before, "
                f"{len(self.failed)} failed")
        if self.failed:
            text += "; e.g. " + "; ".join(f"{f['url']}: {f['reason']}" for f in self.failed[:3])
        return text


def capture(case: Case, urls: list[str] | tuple[str, ...] = (), *, from_items: bool = False,
            uids: list[str] | None = None, allow_private: list[str] | tuple[str, ...] = (),
            timeout_s: float = 60.0, max_resource_bytes: int = 50_000_000,
            max_page_bytes: int = 200_000_000, progress: bool = True,
            executable: Path = CHROMIUM) -> CaptureResult:
    """Capture ``urls``, and with ``from_items`` every URL the items cite (with ``uids``, those
    these items cite). Private and loopback addresses are refused unless their network is in
    ``allow_private`` (``"127.0.0.1"``, ``"10.0.0.0/8"``). A page gets ``timeout_s`` to load, a
    resource at most ``max_resource_bytes`` and the page at most ``max_page_bytes`` in all."""
    case.require_collection_allowed()
    limits = Limits(timeout_s=timeout_s, resource_bytes=max_resource_bytes,
                    page_bytes=max_page_bytes, allowed=parse_networks(list(allow_private)))
    cited = citations(case.db)
    targets = _targets(case, urls, from_items, uids, cited)
    result = _start(case, len(targets), explicit=len(urls), from_items=from_items)
    try:
        with ExitStack() as stack:
            browser, hosts = None, {}
            for url in tqdm(targets, desc="capture", unit=" pages", disable=not progress,
                            leave=False):
                key = link_key(url)
                done = _captured(case, key)
                if done is not None:
                    _link(case, done, _citing(cited, key))
                    result.already += 1
                    continue
                try:
                    check_url(url, limits, hosts)
                except FetchFailed as exc:
                    _failed(case, result, PageCapture(url=url, failure=str(exc)), cited)
                    continue
                if browser is None:
                    browser = stack.enter_context(Browser(limits, executable))
                workdir = Path(tempfile.mkdtemp(prefix="workbench-capture-"))
                try:
                    page = browser.capture(url, workdir)
                    if page.failure:
                        _failed(case, result, page, cited)
                    else:
                        _stored(case, result, page, workdir, cited)
                finally:
                    shutil.rmtree(workdir, ignore_errors=True)
    except BaseException as exc:
        _finish(case, result, "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed",
                str(exc) or type(exc).__name__)
        raise
    _finish(case, result, "done")
    return result


def _targets(case: Case, urls, from_items: bool, uids, cited: dict[str, Cited]) -> list[str]:
    """The URLs to capture, one per article: those named, then those the items cite."""
    chosen: dict[str, str] = {}
    for url in urls:
        chosen.setdefault(link_key(url.strip()), url.strip())
    if uids:
        known = {r[0] for part in chunks(list(uids)) for r in case.db.execute(
            f"SELECT uid FROM items WHERE uid IN ({', '.join('?' * len(part))})", part)}
        if unknown := [uid for uid in uids if uid not in known]:
            raise WorkbenchError(f"no such items: {', '.join(unknown[:5])}",
                                 hint="list uids with `workbench items DIR`")
        for key, c in citations(case.db, list(uids)).items():
            chosen.setdefault(key, c.url)
    if from_items:
        for key, c in cited.items():
            chosen.setdefault(key, c.url)
    return list(chosen.values())


def _captured(case: Case, key: str) -> str | None:
    """The capture that holds the article ``key`` already (as asked, or where a link led)."""
    row = case.db.execute(
        "SELECT url_key FROM captures WHERE status = 'captured' AND (url_key = ? OR final_key = ?) "
        "ORDER BY url_key != ? LIMIT 1", [key, key, key]).fetchone()
    return row[0] if row else None


def _citing(cited: dict[str, Cited], *keys: str | None) -> list[str]:
    return sorted({uid for key in keys if key in cited for uid in cited[key].uids})


def _link(case: Case, url_key: str, uids: list[str]) -> None:
    """Record that these items cite the capture (derived from the items: no ledger line)."""
    with write(case.db):
        for part in chunks(uids):
            case.db.conn.executemany(
                "INSERT OR IGNORE INTO capture_links (uid, url_key) VALUES (?, ?)",
                [(uid, url_key) for uid in part])


def _row(case: Case, result: CaptureResult, page: PageCapture, status: str) -> dict:
    final_key = link_key(page.final_url) if page.final_url else None
    return {
        "url_key": link_key(page.url), "url": page.url, "final_url": page.final_url,
        "final_key": final_key, "status": status, "reason": page.failure,
        "http_status": page.status, "title": page.title,
        "redirects": json.dumps(page.redirects, ensure_ascii=False) if page.redirects else None,
        "captured_at": to_text(page.loaded_at) if page.loaded_at else None,
        "wacz_sha256": None, "screenshot_sha256": None, "html_sha256": None, "text_sha256": None,
        "resources": page.resources, "bytes": page.bytes,
        "skipped": json.dumps(page.skipped[:50], ensure_ascii=False) if page.skipped else None,
        "user_agent": page.user_agent, "run_id": result.run_id,
    }


def _save(case: Case, row: dict, action: str, detail: dict) -> None:
    existed = case.db.execute("SELECT 1 FROM captures WHERE url_key = ?", [row["url_key"]]).fetchone()
    case.db["captures"].insert(row, replace=True)
    change = audit.Change("captures", row["url_key"], "update" if existed else "add",
                          audit.row_hash("captures", row))
    audit.append(case.db, action, detail, [change])


def _failed(case: Case, result: CaptureResult, page: PageCapture,
            cited: dict[str, Cited]) -> None:
    """Record the failure with its reason (tried again by the next run), linked to the citing
    items as a capture is, so that it goes with them in a purge."""
    result.failed.append({"url": page.url, "reason": page.failure})
    row = _row(case, result, page, "failed")
    with write(case.db):
        if case.db.execute("SELECT 1 FROM captures WHERE url_key = ? AND status = 'captured'",
                           [row["url_key"]]).fetchone():
            return  # never over a capture made meanwhile (by another run)
        _save(case, row, "capture.failed", {"run": result.run_id})
        _link(case, row["url_key"], _citing(cited, row["url_key"]))


def _stored(case: Case, result: CaptureResult, page: PageCapture, workdir: Path,
            cited: dict[str, Cited]) -> None:
    """Pack the WACZ, store the four files and the row, link the citing items; one transaction."""
    wacz = workdir / "page.wacz"
    write_wacz(page.recorder, wacz, page_url=page.final_url, page_at=page.loaded_at,
               title=page.title)
    blobs = {"wacz_sha256": case.capture_store.put_file(wacz),
             "screenshot_sha256": case.capture_store.put_bytes(page.screenshot),
             "html_sha256": case.capture_store.put_bytes(page.html.encode("utf-8")),
             "text_sha256": case.capture_store.put_bytes(page.text.encode("utf-8"))}
    row = {**_row(case, result, page, "captured"), **{k: sha for k, (sha, _) in blobs.items()}}
    with write(case.db):
        for column, name, _ in FILES:
            _register(case.db, *blobs[column], name, result.run_id)
        _save(case, row, "capture.stored", {
            "run": result.run_id, "files": {name: blobs[col][0] for col, name, _ in FILES},
            "bytes": sum(size for _, size in blobs.values())})
        _link(case, row["url_key"], _citing(cited, row["url_key"], row["final_key"]))
    result.captured.append({"url": page.url, "final_url": page.final_url, "status": page.status})


def _register(db: sqlite_utils.Database, sha: str, size: int, name: str, run_id: int) -> None:
    """List a stored file in ``payloads`` (again, if a purge had destroyed it), as imports do."""
    row = db.execute("SELECT status FROM payloads WHERE sha256 = ?", [sha]).fetchone()
    if row is None or row[0] != "present":
        db["payloads"].insert({"sha256": sha, "kind": "capture", "name": name, "size": size,
                               "stored_at": now_text(), "run_id": run_id, "status": "present"},
                              replace=True)


def _start(case: Case, urls: int, **detail) -> CaptureResult:
    result = CaptureResult(0)
    with write(case.db):
        result.run_id = case.db["runs"].insert({
            "kind": "capture", "source": "pages the items link to", "collector": "capture:chromium",
            "collector_version": workbench.__version__, "started_at": now_text(),
            "status": "running", "actor": audit.actor(),
            "detail": audit.canonical({**detail, "urls": urls})}).last_pk
        audit.append(case.db, "capture.started", {"run": result.run_id, "urls": urls})
    return result


def _finish(case: Case, result: CaptureResult, status: str, error: str | None = None) -> None:
    result.status = status
    detail = {"run": result.run_id, "status": status, "captured": len(result.captured),
              "already": result.already, "failed": len(result.failed)}
    if error:
        detail["error"] = error[:500]
    with write(case.db):
        started = json.loads(case.db["runs"].get(result.run_id)["detail"] or "{}")
        case.db["runs"].update(result.run_id, {
            "finished_at": now_text(), "status": status, "imported": len(result.captured),
            "duplicates": result.already, "quarantined": 0,
            "detail": audit.canonical({**started, **detail})})
        audit.append(case.db, "capture.finished", detail)


def captures(case: Case) -> pd.DataFrame:
    """The case's captures, one row per URL, with ``uids``: the items citing each."""
    columns = {**case.db["captures"].columns_dict, "uids": str}
    rows = case.db.execute(
        "SELECT c.*, (SELECT json_group_array(uid) FROM capture_links l "
        "WHERE l.url_key = c.url_key) FROM captures c ORDER BY c.url_key").fetchall()
    df = frame(rows, columns)
    for column in ("redirects", "skipped", "uids"):
        df[column] = pd.Series([json.loads(v) if isinstance(v, str) else [] for v in df[column]],
                               dtype=object, index=df.index)
    df["captured_at"] = pd.to_datetime(df["captured_at"], utc=True)
    return df
