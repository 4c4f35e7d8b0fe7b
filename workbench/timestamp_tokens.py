"""Reading and checking the case's RFC 3161 timestamp tokens offline (with ``rfc3161-client``).

For each token: it is the one the audit log recorded (by hash), its imprint is the hash of the
manifest stored with it, the manifest names an audit head that is still in the log and lists
exactly the evidence files the log held then, and its signature verifies against the TSA's CA
certificates (the ones given to verify, else the CA file stored with it when it was obtained).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from workbench.errors import WorkbenchError
from workbench.evidence_manifest import FOLDERS, blob_path, expected_files, parse_manifest

if TYPE_CHECKING:
    import sqlite_utils
    from cryptography.x509 import Certificate
    from rfc3161_client import TimeStampResponse

SHA256_OID = "2.16.840.1.101.3.4.2.1"


class TimestampError(WorkbenchError):
    """A timestamp could not be obtained or read, or a CA file is not one."""


def stored(db: sqlite_utils.Database) -> list[dict]:
    """The case's timestamps, oldest first (a case made before timestamps existed has none)."""
    if "timestamps" not in db.table_names():
        return []
    return list(db.query("SELECT * FROM timestamps ORDER BY id"))


def decode(token: bytes) -> TimeStampResponse:
    """A stored token (the TSA's TimeStampResp, DER) read; ValueError if it is not one."""
    from rfc3161_client import decode_timestamp_response

    return decode_timestamp_response(token)


def load_ca(pem: bytes | str, source: str) -> list[Certificate]:
    """The certificates of a PEM file's text (an error naming ``source`` if there are none)."""
    from cryptography import x509

    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise TimestampError(f"{source}: not PEM certificates ({exc})") from exc


def token_certificates(response: TimeStampResponse) -> list[Certificate]:
    """The certificates the TSA put in its token (its own, perhaps its chain)."""
    from cryptography import x509

    return [x509.load_der_x509_certificate(der) for der in response.signed_data.certificates]


def certificates_pem(certs: list[Certificate]) -> str:
    """Certificates as one PEM text."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in certs)


def tsa_name(response: TimeStampResponse) -> str:
    """The TSA's name as the token gives it (else its signing certificate's subject)."""
    from cryptography import x509

    name = response.tst_info.name
    if isinstance(name, x509.DirectoryName):
        return name.value.rfc4514_string()
    if name is not None:
        return str(name.value)
    certs = token_certificates(response)
    return certs[0].subject.rfc4514_string() if certs else ""


def signature_problem(response: TimeStampResponse, digest: bytes,
                      roots: list[Certificate]) -> str | None:
    """None when the token is granted, over ``digest``, signed by a TSA certificate (with the
    time-stamping purpose) that chains to ``roots`` and was valid when it signed; else why not."""
    from rfc3161_client import VerificationError, VerifierBuilder

    try:
        VerifierBuilder(roots=list(roots)).build().verify(response, digest)
    except (VerificationError, ValueError) as exc:
        return str(exc)
    return None


@dataclass
class TimestampCheck:
    """What :func:`check` found: ``verified`` counts tokens whose signature verified."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    verified: int = 0
    with_stored_ca: int = 0


def check(db: sqlite_utils.Database, entries: list[dict],
          roots: list[Certificate] | None = None) -> TimestampCheck:
    """Check every stored token against the audit log ``entries`` (details parsed); ``roots``:
    the TSA CA certificates to trust (None: each token's stored CA file, if it has one)."""
    result = TimestampCheck()
    rows = {row["id"]: row for row in stored(db)}
    audited = {e["detail"].get("id"): e for e in entries
               if e["action"] == "timestamp.obtained" and isinstance(e["detail"], dict)}
    for token_id in sorted(set(rows) | set(audited), key=lambda v: (v is None, str(v))):
        if token_id not in rows:
            result.problems.append(f"timestamp {token_id}: removed outside the workbench (audit "
                                   f"entry {audited[token_id]['seq']} records it)")
        elif token_id not in audited:
            result.problems.append(f"timestamp {token_id}: added outside the workbench (no audit "
                                   "entry records it)")
        else:
            _check_one(rows[token_id], audited[token_id]["detail"], entries, roots, result)
    if result.with_stored_ca:
        result.warnings.append(f"{result.with_stored_ca} timestamps verified only against the CA file "
                               "stored with them: give --tsa-ca with the TSA's CA certificate, "
                               "got from the TSA, to check them against one you trust")
    if rows or roots:
        result.lines.append(f"{result.verified} timestamps verified")
    return result


def _check_one(row: dict, claim: dict, entries: list[dict], roots: list[Certificate] | None,
               result: TimestampCheck) -> None:
    name = f"timestamp {row['id']}"
    before = len(result.problems)
    token, manifest = bytes(row["token"] or b""), (row["manifest"] or "").encode("utf-8")
    if hashlib.sha256(token).hexdigest() != claim.get("token_sha256"):
        result.problems.append(f"{name}: its token was altered (it no longer has the hash its "
                               "audit entry records)")
    if hashlib.sha256(manifest).hexdigest() != claim.get("manifest_sha256"):
        result.problems.append(f"{name}: its manifest was altered since it was stamped")
    try:
        response = decode(token)
    except ValueError as exc:
        result.problems.append(f"{name}: the token cannot be read ({exc})")
        return
    imprint = response.tst_info.message_imprint
    digest = hashlib.sha256(manifest).digest()
    if imprint.hash_algorithm.dotted_string != SHA256_OID or imprint.message != digest:
        result.problems.append(f"{name}: the token no longer matches its manifest")
    head, listed = parse_manifest(manifest.decode("utf-8"))
    _check_head(name, head, entries, result)
    if head is not None:
        _check_listing(name, head[0], listed, entries, result)
    how = _check_signature(name, response, digest, row.get("ca_pem"), roots, result)
    if len(result.problems) == before:
        gen_time = response.tst_info.gen_time.strftime("%Y-%m-%d %H:%M:%S UTC")
        result.lines.append(f"{name}: {gen_time} by {tsa_name(response)} over audit entry "
                            f"{row['audit_seq']} and {row['files']} evidence files: {how}")


def _check_head(name: str, head: tuple[int, str] | None, entries: list[dict],
                result: TimestampCheck) -> None:
    if head is None:
        result.problems.append(f"{name}: its manifest names no audit head")
        return
    seq, digest = head
    entry = next((e for e in entries if e["seq"] == seq), None)
    if entry is None:
        result.problems.append(f"{name}: audit entry {seq}, which it vouches for, is missing")
    elif entry["hash"] != digest:
        result.problems.append(f"{name}: audit entry {seq} is not the one it vouches for (the "
                               "log up to it was rewritten)")


def _check_listing(name: str, seq: int, listed: list[tuple[str, str]], entries: list[dict],
                   result: TimestampCheck) -> None:
    """The manifest lists exactly the raw and media files the audit log held at its head."""
    then = expected_files([e for e in entries if e["seq"] <= seq])
    now = expected_files(entries)
    want = {blob_path(kind, sha) for kind, shas in then.items() for sha in shas}
    kept = tuple(f"{FOLDERS[kind]}/" for kind in then)
    have = {path for _, path in listed if path.startswith(kept)}
    if want != have:
        result.problems.append(f"{name}: its manifest does not list the evidence files the audit "
                               f"log held at entry {seq} ({len(have)} listed, {len(want)} held)")
    gone = sum(1 for kind, shas in then.items() for sha in shas if sha not in now[kind])
    if gone:
        result.lines.append(f"{name}: {gone} of its files were destroyed since, by purges the "
                            "audit log records")


def _check_signature(name: str, response: TimeStampResponse, digest: bytes, ca_pem: str | None,
                     roots: list[Certificate] | None, result: TimestampCheck) -> str:
    if roots:
        source, trusted = "--tsa-ca", roots
    elif ca_pem:
        source, trusted = "the CA stored with it", load_ca(ca_pem, f"{name}'s stored CA file")
    else:
        result.warnings.append(f"{name}: its signature was not checked (no CA file was given "
                               "when it was obtained): give --tsa-ca")
        return "matches the case; signature not checked"
    problem = signature_problem(response, digest, trusted)
    if problem:
        result.problems.append(f"{name}: its signature does not verify against {source}: {problem}")
        return "signature fails"
    result.verified += 1
    result.with_stored_ca += trusted is not roots
    return f"verified ({source})"
