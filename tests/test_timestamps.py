"""RFC 3161 timestamps against a throwaway TSA on 127.0.0.1 (``openssl ts -reply``): obtained,
stored and audited; verify checks every token offline and catches a token, manifest or audit
log that no longer matches."""

import hashlib
import subprocess
import sys

import pytest

from tests.local_server import QuietHandler, serve
from tests.tsa_server import make_authority, needs_openssl
from workbench import audit
from workbench.evidence_manifest import capture_files, parse_manifest
from workbench.timestamp_tokens import TimestampError
from workbench.timestamps import obtain, shown_url

from .conftest import post

pytestmark = needs_openssl


@pytest.fixture
def filled(case, write_jsonl):
    case.import_file(write_jsonl("posts.jsonl", [post(i) for i in range(6)]), progress=False)
    case.import_file(write_jsonl("more.jsonl", [post(i) for i in range(6, 9)]), progress=False)
    return case


def _problems(case, **kwargs):
    report = case.verify(**kwargs)
    assert not report.ok
    return "\n".join(report.problems)


def test_timestamp_is_stored_audited_and_verified(filled, tsa):
    authority, url, _ = tsa
    result = obtain(filled, url, ca_file=authority.ca_pem)
    assert result.verified and result.files == 2 and result.id == 1
    assert "CN=Test TSA" in result.tsa and "2 evidence files" in result.summary()
    row = filled.db["timestamps"].get(1)
    head, files = parse_manifest(row["manifest"])
    entries = list(filled.db.query("SELECT seq, hash FROM audit ORDER BY seq"))
    assert head == (entries[-2]["seq"], entries[-2]["hash"])  # the entry before its own
    assert sorted(p for _, p in files) == sorted(
        f"raw/{s[:2]}/{s}" for (s,) in filled.db.execute("SELECT sha256 FROM payloads"))
    last = filled.db.execute("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert last[0] == "timestamp.obtained"
    assert hashlib.sha256(row["token"]).hexdigest() in last[1]
    report = filled.verify(tsa_ca=authority.ca_pem)
    assert report.ok, report.problems
    assert "1 timestamps verified" in report.lines()
    assert any(line.startswith("timestamp 1: ") and "verified (--tsa-ca)" in line
               for line in report.lines())
    # Without --tsa-ca, the CA file stored with it serves, and verify says it is only that.
    plain = filled.verify()
    assert plain.ok and "1 timestamps verified" in plain.lines()
    assert any("only against the CA file stored with them" in w for w in plain.warnings)


def test_the_stamped_manifest_checks_with_sha256sum_in_the_case(filled, tsa, tmp_path):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    manifest = tmp_path / "manifest.sha256"
    manifest.write_text(filled.db["timestamps"].get(1)["manifest"])
    done = subprocess.run(["sha256sum", "-c", str(manifest)], cwd=filled.path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == 2


def test_cli_timestamp_and_verify(filled, tsa):
    authority, url, _ = tsa
    filled.close()
    wb = [sys.executable, "-m", "workbench.cli"]
    done = subprocess.run([*wb, "timestamp", filled.path, "--tsa", url, "--ca-file", authority.ca_pem],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("timestamp 1: ") and "signature verified" in done.stdout
    checked = subprocess.run([*wb, "verify", filled.path, "--tsa-ca", authority.ca_pem],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert "1 timestamps verified" in checked.stdout and "verify: OK" in checked.stdout
    refused = subprocess.run([*wb, "timestamp", filled.path, "--tsa", "ftp://tsa.example/"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and refused.stderr.startswith("error:")
    assert "Traceback" not in refused.stderr


def test_a_changed_manifest_is_caught(filled, tsa):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    manifest = filled.db["timestamps"].get(1)["manifest"]
    filled.db.execute("UPDATE timestamps SET manifest = ? WHERE id = 1",
                      [manifest.replace("raw/", "raw//", 1)])
    problems = _problems(filled, tsa_ca=authority.ca_pem)
    assert "timestamp 1: the token no longer matches its manifest" in problems
    assert "timestamp 1: its manifest was altered" in problems


def test_a_rewritten_audit_log_is_caught(filled, tsa):
    """Rewrite the log consistently (every hash recomputed): only the timestamp can tell."""
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    prev = audit.GENESIS
    for e in list(filled.db.query("SELECT * FROM audit ORDER BY seq")):
        at = "2020-01-01T00:00:00Z" if e["seq"] == 1 else e["at"]
        new = audit.entry_hash(e["seq"], at, e["actor"], e["action"], e["detail"], prev)
        filled.db.execute("UPDATE audit SET at = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                          [at, prev, new, e["seq"]])
        prev = new
    problems = _problems(filled, tsa_ca=authority.ca_pem).splitlines()
    head = filled.db["timestamps"].get(1)["audit_seq"]
    assert problems == [f"timestamp 1: audit entry {head} is not the one it vouches for (the log "
                        "up to it was rewritten)"]


def test_a_token_altered_removed_or_added_is_caught(filled, tsa):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    token = bytearray(filled.db["timestamps"].get(1)["token"])
    token[-40] ^= 0x01  # inside the signature
    filled.db.execute("UPDATE timestamps SET token = ? WHERE id = 1", [bytes(token)])
    problems = _problems(filled, tsa_ca=authority.ca_pem)
    assert "timestamp 1: its token was altered" in problems
    assert "timestamp 1: its signature does not verify against --tsa-ca" in problems
    row = filled.db["timestamps"].get(1)
    filled.db.execute("DELETE FROM timestamps")
    assert "timestamp 1: removed outside the workbench" in _problems(filled)
    filled.db["timestamps"].insert({**row, "id": 7})
    assert "timestamp 7: added outside the workbench" in _problems(filled)


def test_another_ca_does_not_verify(filled, tsa, tmp_path):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    other = make_authority(tmp_path / "other", "Other TSA")
    assert "its signature does not verify against --tsa-ca" in _problems(filled, tsa_ca=other.ca_pem)
    with pytest.raises(TimestampError, match="does not verify against"):
        obtain(filled, url, ca_file=other.ca_pem)
    assert filled.db["timestamps"].count == 1
    with pytest.raises(TimestampError, match="not PEM certificates"):
        filled.verify(tsa_ca=authority.key_pem.parent / "serial")


def test_without_a_ca_the_signature_is_not_claimed(filled, tsa):
    authority, url, _ = tsa
    result = obtain(filled, url)
    assert not result.verified and "NOT checked" in result.summary()
    report = filled.verify()
    assert report.ok and "0 timestamps verified" in report.lines()
    assert any("signature was not checked" in w for w in report.warnings)
    assert "1 timestamps verified" in filled.verify(tsa_ca=authority.ca_pem).lines()


def test_a_case_that_fails_verify_is_not_stamped(filled, tsa):
    authority, url, server = tsa
    sha = next(filled.db.execute("SELECT sha256 FROM payloads"))[0]
    path = filled.raw_store.path(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"\n")
    asked = server.queries
    with pytest.raises(TimestampError, match="fails verify"):
        obtain(filled, url, ca_file=authority.ca_pem)
    assert server.queries == asked and filled.db["timestamps"].count == 0


def test_tsa_failures_are_clear_and_store_nothing(filled):
    class Broken(QuietHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/down":
                self.send_error(503, "maintenance")
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>not a timestamp</html>")

    server, base = serve(Broken)
    try:
        with pytest.raises(TimestampError, match="HTTP 503"):
            obtain(filled, f"{base}/down")
        with pytest.raises(TimestampError, match="not an RFC 3161 timestamp reply"):
            obtain(filled, f"{base}/garbage")
    finally:
        server.shutdown()
    with pytest.raises(TimestampError, match="cannot reach the TSA"):
        obtain(filled, base, timeout=2)  # the server is gone
    with pytest.raises(TimestampError, match="http:// or https://"):
        obtain(filled, "file:///etc/passwd")
    assert filled.db["timestamps"].count == 0
    assert shown_url("https://user:secret@tsa.example:8443/tsr?key=s3") == "https://tsa.example:8443/tsr"


def test_a_purge_after_the_timestamp_is_expected(filled, tsa):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    filled.purge(items=["generic:p6", "generic:p7", "generic:p8"], reason="out of scope")
    report = filled.verify(tsa_ca=authority.ca_pem)
    assert report.ok, report.problems
    assert "timestamp 1: 1 of its files were destroyed since, by purges the audit log records" in \
        report.lines()
    second = obtain(filled, url, ca_file=authority.ca_pem)
    assert second.files == 1
    assert "2 timestamps verified" in filled.verify(tsa_ca=authority.ca_pem).lines()


def test_captures_are_listed_when_the_case_has_them(case):
    assert capture_files(case.db) == []
    sha = hashlib.sha256(b"a page").hexdigest()
    case.db["captures"].insert({"url_key": "127.0.0.1/", "url": "http://127.0.0.1/",
                                "wacz_sha256": sha, "screenshot_sha256": None}, alter=True)
    assert [(f.kind, f.path) for f in capture_files(case.db)] == [
        ("capture", f"captures/{sha[:2]}/{sha}")]
