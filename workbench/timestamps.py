"""Trusted timestamps (RFC 3161): a time-stamping authority (TSA) signs the hash of the case's
evidence manifest (:mod:`workbench.evidence_manifest`: every evidence file's SHA-256 and the audit
log's head), so a third party vouches that all of it existed, unaltered, at that time.

The request and the token are built and read with ``rfc3161-client``; the request goes over HTTP
(``urllib``) to the TSA the analyst names: the only network use, and only when asked. The token is
stored in the case as the TSA returned it, with the exact manifest stamped, and audited
(``timestamp.obtained``); :mod:`workbench.timestamp_check` checks it offline.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from workbench import audit
from workbench.evidence_manifest import audit_entries, evidence_files, manifest_text
from workbench.store import write
from workbench.timestamp_tokens import (
    TimestampError,
    certificates_pem,
    decode,
    load_ca,
    signature_problem,
    tsa_name,
)
from workbench.timeutil import now_text

if TYPE_CHECKING:
    import sqlite_utils
    from cryptography.x509 import Certificate
    from rfc3161_client import TimeStampResponse

    from workbench.case import Case

#: A token is a few kilobytes; more than this is not a TSA's answer.
MAX_REPLY_BYTES = 1 << 20
#: PKIStatus granted (0) and grantedWithMods (1): the only answers that carry a token.
GRANTED = (0, 1)


@dataclass
class TimestampResult:
    """What :func:`obtain` stored."""

    id: int
    gen_time: str
    tsa: str
    serial: str
    files: int
    audit_head: tuple[int, str]
    manifest_sha256: str
    verified: bool

    def summary(self) -> str:
        checked = ("its signature verified against the CA file" if self.verified else
                   "its signature NOT checked (no --ca-file): give verify --tsa-ca")
        return (f"timestamp {self.id}: {self.gen_time} by {self.tsa} (serial {self.serial}) over "
                f"{self.files} evidence files and audit entry {self.audit_head[0]}; {checked}")


def obtain(case: Case, tsa_url: str, *, ca_file: str | Path | None = None,
           timeout: float = 30.0) -> TimestampResult:
    """Timestamp the case's evidence manifest at ``tsa_url``; store and audit the token.

    A case that fails verify is refused (a timestamp would vouch for what is wrong). With
    ``ca_file`` (the TSA's CA certificates, PEM) the token is verified before it is stored, and the
    CA file is kept with it for the evidence package.
    """
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    url = _check_url(tsa_url)
    roots_pem, roots = _read_ca(ca_file) if ca_file else (None, [])
    report = case.verify()
    if not report.ok:
        raise TimestampError(f"{case.path}: the case fails verify ({len(report.problems)} problems): "
                             "a timestamp would vouch for what is wrong",
                             hint=f"run: workbench verify {case.path}")
    entries = audit_entries(case.db)
    head = (entries[-1]["seq"], entries[-1]["hash"]) if entries else audit.head(case.db)
    files = evidence_files(case.db, entries)
    manifest = manifest_text(case.plan.id, head, files).encode("utf-8")
    request = TimestampRequestBuilder().data(manifest).hash_algorithm(HashAlgorithm.SHA256).build()
    reply = _post(url, request.as_bytes(), timeout)
    response = _decode(reply, url)
    digest = hashlib.sha256(manifest).digest()
    if response.tst_info.message_imprint.message != digest:
        raise TimestampError(f"{shown_url(url)}: the token is not over the manifest sent")
    if request.nonce is not None and response.tst_info.nonce != request.nonce:
        raise TimestampError(f"{shown_url(url)}: the token's nonce is not the request's (a replay?)")
    if roots:
        problem = signature_problem(response, digest, roots)
        if problem:
            raise TimestampError(f"{shown_url(url)}: the token does not verify against "
                                 f"{ca_file}: {problem}")
    return _store(case.db, shown_url(url), head, manifest, len(files), reply, response,
                  roots_pem, verified=bool(roots))


def _store(db: sqlite_utils.Database, tsa: str, head: tuple[int, str], manifest: bytes, files: int,
           reply: bytes, response: TimeStampResponse, ca_pem: str | None,
           verified: bool) -> TimestampResult:
    info = response.tst_info
    gen_time = info.gen_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    row = {"requested_at": now_text(), "tsa_url": tsa, "audit_seq": head[0],
           "audit_hash": head[1], "manifest": manifest.decode("utf-8"),
           "manifest_sha256": hashlib.sha256(manifest).hexdigest(), "files": files,
           "hash_algorithm": "sha256", "token": reply,
           "token_sha256": hashlib.sha256(reply).hexdigest(), "gen_time": gen_time,
           "serial": str(info.serial_number), "tsa_name": tsa_name(response),
           "policy": info.policy.dotted_string, "ca_pem": ca_pem}
    with write(db):
        db["timestamps"].insert(row)
        row_id = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        audit.append(db, "timestamp.obtained", {
            "id": row_id, "tsa": tsa, "gen_time": gen_time, "serial": row["serial"],
            "tsa_name": row["tsa_name"], "audit_head": list(head), "files": files,
            "manifest_sha256": row["manifest_sha256"], "token_sha256": row["token_sha256"],
            "verified_with_ca": verified})
    return TimestampResult(id=row_id, gen_time=gen_time, tsa=row["tsa_name"] or tsa,
                           serial=row["serial"], files=files, audit_head=head,
                           manifest_sha256=row["manifest_sha256"], verified=verified)


def _read_ca(path: str | Path) -> tuple[str, list[Certificate]]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TimestampError(f"{path}: cannot read the CA file: {exc.strerror}") from exc
    certs = load_ca(data, str(path))
    return certificates_pem(certs), certs


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TimestampError(f"{url!r}: a TSA is reached at an http:// or https:// URL",
                             hint="e.g. --tsa https://freetsa.org/tsr")
    return url


def shown_url(url: str) -> str:
    """The URL as stored and shown: without a user, password or query (they may be secrets)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _post(url: str, query: bytes, timeout: float) -> bytes:
    request = urllib.request.Request(url, data=query, method="POST", headers={
        "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - checked
            reply = answer.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"{shown_url(url)}: the TSA answered HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(f"{shown_url(url)}: cannot reach the TSA: {reason}",
                             hint="timestamps need the network: check the URL and connection") from exc
    if len(reply) > MAX_REPLY_BYTES:
        raise TimestampError(f"{shown_url(url)}: the answer is over {MAX_REPLY_BYTES} bytes: "
                             "not a timestamp reply")
    return reply


def _decode(reply: bytes, url: str) -> TimeStampResponse:
    try:
        response = decode(reply)
    except ValueError as exc:
        raise TimestampError(f"{shown_url(url)}: the answer is not an RFC 3161 timestamp "
                             f"reply ({exc})") from exc
    if response.status not in GRANTED:
        said = "; ".join(response.status_string) or "no reason given"
        raise TimestampError(f"{shown_url(url)}: the TSA refused (status {response.status}: {said})")
    return response
