"""A capture's web archive: WARC records written with warcio, packed as a WACZ (Web Archive
Collection Zipped, format 1.1.1) that ReplayWeb.page and other WACZ players open.

The WACZ holds ``archive/data.warc.gz`` (a request and a response record per exchange, the
response's body exactly as received; the screenshot and the page's text as ``urn:view:`` and
``urn:text:`` resource records, as Browsertrix keeps them), ``indexes/index.cdx`` (CDXJ, sorted by
SURT key), ``pages/pages.jsonl`` and ``datapackage.json`` with the SHA-256 of each of them (and
``datapackage-digest.json`` with the SHA-256 of that).

The zip is assembled here rather than by the ``wacz`` package: that one is a command line tool
(it prints as it goes), and it brings 18 packages, among them ``surt`` (AGPL-3.0) and ``chardet``
(which ``requests`` would then prefer to ``charset-normalizer`` for the whole workbench).
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, datetime_to_timestamp
from warcio.warcwriter import WARCWriter

import workbench
from workbench.capture.fetch import Fetched

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
SOFTWARE = f"socmint-workbench {workbench.__version__} (warcio)"
#: Response headers whose value no longer describes the body as the WARC keeps it (the body is
#: kept with its chunking undone): kept under pywb's ``X-Archive-Orig-`` name.
_RENAMED = ("transfer-encoding",)


class WarcRecorder:
    """Writes one capture's WARC, a gzip member per record, and notes each record's index line."""

    def __init__(self, path: Path, *, page_url: str):
        self.path = path
        self._file = path.open("wb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self.index: list[tuple[str, str, dict]] = []
        self.records = 0
        info = {"software": SOFTWARE, "format": "WARC File Format 1.1",
                "isPartOf": f"capture of {page_url}"}
        self._write(self._writer.create_warcinfo_record(WARC_NAME, info), None)

    def exchange(self, fetched: Fetched) -> None:
        """A response record (the body as received) and the request record that asked for it."""
        status_line = f"{fetched.status} {fetched.reason}".strip()
        headers = [(f"X-Archive-Orig-{k}" if k.lower() in _RENAMED else k, v)
                   for k, v in fetched.headers]
        warc = {"WARC-Date": _iso(fetched.at)}
        if fetched.peer:
            warc["WARC-IP-Address"] = fetched.peer
        response = self._writer.create_warc_record(
            fetched.url, "response", payload=io.BytesIO(fetched.raw), length=len(fetched.raw),
            warc_headers_dict=warc,
            http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"))
        self._write(response, fetched if fetched.method == "GET" else None)
        parts = urlsplit(fetched.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = [("Host", parts.netloc), *fetched.request_headers]
        request = self._writer.create_warc_record(
            fetched.url, "request", payload=io.BytesIO(fetched.request_body),
            length=len(fetched.request_body),
            warc_headers_dict={**warc, "WARC-Concurrent-To":
                               response.rec_headers.get_header("WARC-Record-ID")},
            http_headers=StatusAndHeaders(f"{fetched.method} {target} HTTP/1.1", request_headers,
                                          is_http_request=True))
        self._write(request, None)

    def resource(self, uri: str, mime: str, data: bytes, at: datetime) -> None:
        """A file the capture made itself (the screenshot, the page's text)."""
        record = self._writer.create_warc_record(
            uri, "resource", payload=io.BytesIO(data), length=len(data), warc_content_type=mime,
            warc_headers_dict={"WARC-Date": _iso(at)})
        self._write(record, None, mime=mime, at=at)

    def _write(self, record, fetched: Fetched | None, *, mime: str | None = None,
               at: datetime | None = None) -> None:
        offset = self._file.tell()
        self._writer.write_record(record)
        self.records += 1
        if fetched is None and mime is None:
            return
        url = record.rec_headers.get_header("WARC-Target-URI")
        line = {"url": url, "mime": mime or fetched.mime or "unk",
                "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                "length": str(self._file.tell() - offset), "offset": str(offset),
                "filename": WARC_NAME}
        if fetched is not None:
            line["status"] = str(fetched.status)
        when = _naive(fetched.at if fetched else at)
        self.index.append((surt(url), datetime_to_timestamp(when), line))

    def close(self) -> None:
        self._file.close()


def surt(url: str) -> str:
    """The SURT form CDXJ indexes sort by: ``com,example)/path?b=1&a=2`` for
    ``https://www.example.com/path?b=1&a=2`` (host reversed, ``www.`` dropped, query sorted)."""
    if not url.lower().startswith(("http://", "https://")):
        return url  # urn:view:..., urn:text:...
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    ip_host = host.replace(".", "").isdigit() or ":" in host
    key = host if ip_host else ",".join(reversed(host.split(".")))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        key += f":{port}"
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key}){(parts.path or '/').lower()}" + (f"?{query.lower()}" if query else "")


def write_wacz(recorder: WarcRecorder, out: Path, *, page_url: str, page_at: datetime,
               title: str | None) -> None:
    """Pack the closed WARC of ``recorder`` into the WACZ file ``out``."""
    created = datetime.now(UTC)
    stamp = created.timetuple()[:6]
    index = "".join(f"{key} {ts} {json.dumps(line, sort_keys=True)}\n"
                    for key, ts, line in sorted(recorder.index, key=lambda e: (e[0], e[1])))
    pages = "\n".join(json.dumps(p, ensure_ascii=False) for p in (
        {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"},
        {"id": uuid.uuid4().hex, "url": page_url, "title": title or page_url,
         "ts": _iso(page_at, micros=False)})) + "\n"
    members = [("pages/pages.jsonl", pages.encode()), ("indexes/index.cdx", index.encode())]
    resources = []
    with zipfile.ZipFile(out, "w") as zf:
        # The WARC is gzipped already, and a player reads it at the offsets of the index: stored.
        info = zipfile.ZipInfo(f"archive/{WARC_NAME}", stamp)
        info.compress_type = zipfile.ZIP_STORED
        digest, size = hashlib.sha256(), 0
        with recorder.path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
            while block := src.read(1 << 20):
                digest.update(block)
                size += len(block)
                dst.write(block)
        resources.append(_resource(f"archive/{WARC_NAME}", digest.hexdigest(), size))
        for name, data in members:
            _put(zf, name, data, stamp)
            resources.append(_resource(name, hashlib.sha256(data).hexdigest(), len(data)))
        package = json.dumps({
            "profile": "data-package", "wacz_version": WACZ_VERSION, "software": SOFTWARE,
            "created": _iso(created, micros=False),
            "title": title or page_url, "mainPageUrl": page_url,
            "mainPageDate": _iso(page_at, micros=False),
            "resources": resources,
        }, indent=2, ensure_ascii=False).encode()
        _put(zf, "datapackage.json", package, stamp)
        _put(zf, "datapackage-digest.json", json.dumps({
            "path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(package).hexdigest()}",
        }, indent=2).encode(), stamp)


def _naive(when: datetime) -> datetime:
    """UTC without a zone: what warcio's date functions take (they write the ``Z`` themselves)."""
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _iso(when: datetime, *, micros: bool = True) -> str:
    return datetime_to_iso_date(_naive(when), use_micros=micros)


def _resource(path: str, sha256: str, size: int) -> dict:
    return {"name": path.rsplit("/", 1)[-1], "path": path, "hash": f"sha256:{sha256}", "bytes": size}


def _put(zf: zipfile.ZipFile, name: str, data: bytes, stamp: tuple) -> None:
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
