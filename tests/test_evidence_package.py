"""The evidence package, checked as a recipient checks it: unzipped, then the README's own
commands (``sha256sum -c``, ``openssl ts -verify``, ``python3 audit/check_audit.py``) run as
subprocesses; one changed byte makes them fail. Purged items are absent; ``--pseudonymise``
names no account."""

import json
import re
import shlex
import subprocess
import sys
import zipfile

import pytest

from tests.tsa_server import needs_openssl
from workbench.case import Case
from workbench.evidence import sha256_file
from workbench.package import write_package
from workbench.timestamps import obtain

from .conftest import post

pytestmark = needs_openssl


@pytest.fixture
def filled(case, write_jsonl):
    rows = [post(i, author=f"handle{i % 3}") for i in range(6)]
    case.import_file(write_jsonl("posts.jsonl", rows), progress=False)
    case.import_file(write_jsonl("more.jsonl", [post(i, author="gone") for i in range(6, 9)]),
                     progress=False)
    return case


def _unzip(path, into):
    with zipfile.ZipFile(path) as archive:
        archive.extractall(into)
        (top,) = {name.split("/")[0] for name in archive.namelist()}
    return into / top


def _readme_commands(folder, program):
    """The README's command lines that run ``program``, as argument lists."""
    text = (folder / "README.txt").read_text()
    return [shlex.split(line.strip()) for line in text.splitlines()
            if line.strip().startswith(program + " ")]


def _run(args, folder):
    if args[0] == "python3":
        args = [sys.executable, *args[1:]]
    expanded = []
    for arg in args:  # the shell's glob, for timestamps/*/manifest.sha256
        expanded += sorted(str(p.relative_to(folder)) for p in folder.glob(arg)) if "*" in arg else [arg]
    return subprocess.run(expanded, cwd=folder, capture_output=True, text=True, timeout=60)


def test_the_package_checks_with_standard_tools(filled, tsa, tmp_path):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    shas = [s for (s,) in filled.db.execute("SELECT sha256 FROM payloads")]
    filled.close()
    zipped = tmp_path / "out" / "evidence.zip"
    done = subprocess.run([sys.executable, "-m", "workbench.cli", "package", filled.path, "-o", zipped],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 timestamps" in done.stdout and "note: no report in the package" in done.stderr
    folder = _unzip(zipped, tmp_path / "unzipped")
    assert folder.name == "case-evidence"
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {f"raw/{s[:2]}/{s}" for s in shas} <= names
    assert {"README.txt", "MANIFEST.sha256", "items.jsonl", "case.yaml", "audit/audit.jsonl",
            "audit/check_audit.py", "timestamps/1/token.tsr", "timestamps/1/manifest.sha256",
            "timestamps/1/tsa-ca.pem", "timestamps/1/tsa-certs.pem"} <= names
    assert len((folder / "items.jsonl").read_text().splitlines()) == 9

    sha256sum = _readme_commands(folder, "sha256sum")
    assert ["sha256sum", "-c", "MANIFEST.sha256"] in sha256sum
    for args in sha256sum:
        done = _run(args, folder)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    openssl = _readme_commands(folder, "openssl")
    for args in openssl:
        assert _run(args, folder).returncode == 0, args
    verify = [a for a in openssl if a[1:3] == ["ts", "-verify"]]
    assert len(verify) == 1
    done = _run(verify[0], folder)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    shown = _run([a for a in openssl if a[1:3] == ["ts", "-reply"]][0], folder)
    assert "Time stamp:" in shown.stdout and "Test TSA" in shown.stdout
    (check_audit,) = _readme_commands(folder, "python3")
    done = _run(check_audit, folder)
    assert done.returncode == 0 and "audit chain: OK" in done.stdout, done.stdout
    assert "timestamps/1/manifest.sha256: audit entry" in done.stdout

    # One changed byte: the manifest check, the token check and the audit check each fail.
    raw = folder / f"raw/{shas[0][:2]}/{shas[0]}"
    raw.write_bytes(raw.read_bytes().replace(b"river", b"rivet", 1))
    assert _run(["sha256sum", "-c", "MANIFEST.sha256"], folder).returncode == 1
    stamped = folder / "timestamps/1/manifest.sha256"
    stamped.write_text(stamped.read_text().replace("# files: 2", "# files: 3"))
    done = _run(verify[0], folder)
    assert done.returncode != 0 and "Verification: FAILED" in done.stdout
    log = folder / "audit/audit.jsonl"
    log.write_text(log.read_text().replace('"action": "import.started"', '"action": "import.begun"', 1))
    done = _run(check_audit, folder)
    assert done.returncode == 1 and "altered" in done.stdout
    case = Case.open(filled.path)
    last = case.db.execute("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert last[0] == "package.written" and sha256_file(zipped) in last[1]
    case.close()


def test_purged_items_and_older_reports_are_absent(filled, tmp_path):
    from workbench.report.render import render_report

    render_report(filled, interactive_map=False)
    gone = next(filled.db.execute("SELECT raw_sha256 FROM items WHERE uid = 'generic:p7'"))[0]
    filled.purge(items=["generic:p6", "generic:p7", "generic:p8"], reason="out of scope")
    result = write_package(filled, tmp_path / "p.zip")
    assert any("rendered before the last purge" in note for note in result.notes)
    with zipfile.ZipFile(result.path) as archive:
        names = archive.namelist()
        items = archive.read("case-evidence/items.jsonl").decode()
    assert not any(gone in name for name in names)
    assert not any(name.startswith("case-evidence/reports/") for name in names)
    assert "generic:p7" not in items and '"author_handle":"gone"' not in items
    assert len(items.splitlines()) == 6


def test_pseudonymised_package_names_no_account(filled, tsa, tmp_path):
    authority, url, _ = tsa
    obtain(filled, url, ca_file=authority.ca_pem)
    result = write_package(filled, tmp_path / "shared.zip", pseudonymise=True)
    assert result.pseudonymised and "pseudonymised evidence package" in result.summary()
    assert result.reports == ["reports/package-pseudonymised.html"]
    folder = _unzip(tmp_path / "shared.zip", tmp_path / "unzipped")
    names = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert not any(n.startswith(("raw/", "media/", "captures/")) for n in names)
    assert "case.yaml" not in names and "reports/package-pseudonymised.html" in names
    every_text = "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
    for handle in ("handle0", "handle1", "handle2", "gone"):
        assert not re.search(rf"\b{handle}\b", every_text), handle
    items = [json.loads(line) for line in (folder / "items.jsonl").read_text().splitlines()]
    pseudonyms = {i["author_handle"] for i in items}
    assert len(pseudonyms) == 4 and all(re.fullmatch(r"account-[0-9a-f]{8}", p) for p in pseudonyms)
    report = (folder / "reports/package-pseudonymised.html").read_text()
    assert any(p in report for p in pseudonyms)  # one key: the report names accounts alike
    assert all("detail" not in json.loads(line) for line in (folder / "audit/audit.jsonl").open())
    for program in ("sha256sum", "openssl", "python3"):  # every command the README gives works
        for args in _readme_commands(folder, program):
            done = _run(args, folder)
            assert done.returncode == 0, (args, done.stdout, done.stderr)
    (verify,) = [a for a in _readme_commands(folder, "openssl") if a[1:3] == ["ts", "-verify"]]
    assert "Verification: OK" in _run(verify, folder).stdout
    (check_audit,) = _readme_commands(folder, "python3")
    assert "only the links between them were checked" in _run(check_audit, folder).stdout


def test_a_case_that_fails_verify_is_not_packaged(filled, tmp_path):
    from workbench.package import PackageError

    filled.db.execute("UPDATE items SET text = 'edited' WHERE uid = 'generic:p1'")
    with pytest.raises(PackageError, match="fails verify"):
        write_package(filled, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists() and not list(tmp_path.glob(".x.zip*"))
