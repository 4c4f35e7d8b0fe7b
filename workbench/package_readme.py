"""The evidence package's ``README.txt`` (the exact commands that check each part of it) and the
stdlib script that recomputes its audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field

#: audit/check_audit.py: recomputes the chain of audit/audit.jsonl with Python's standard library
#: only (the hash is workbench.audit.entry_hash), and checks the audit head each timestamp
#: manifest names.
AUDIT_SCRIPT = '''\
"""Check the audit log's hash chain: python3 check_audit.py audit.jsonl [manifest.sha256 ...]

Each entry's hash is the SHA-256 of the compact, key-sorted JSON array
[seq, at, actor, action, detail, prev_hash]; each entry's prev_hash is the hash of the entry
before it (64 zeros for the first). A log without details (a pseudonymised package) can only be
checked for its links. Each timestamp manifest names an audit head ("# audit head: entry N HASH"):
the log must hold that entry with that hash.
"""
import hashlib
import json
import re
import sys


def main(log, manifests):
    problems, prev, by_seq, full = [], "0" * 64, {}, True
    with open(log, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            entry = json.loads(line)
            seq = entry["seq"]
            if seq != number:
                problems.append(f"entry {number}: missing (the next is {seq})")
            if entry["prev_hash"] != prev:
                problems.append(f"entry {seq}: does not follow the entry before it")
            if "detail" in entry:
                body = json.dumps([seq, entry["at"], entry["actor"], entry["action"],
                                   entry["detail"], entry["prev_hash"]],
                                  sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                if hashlib.sha256(body.encode("utf-8")).hexdigest() != entry["hash"]:
                    problems.append(f"entry {seq} ({entry['action']}): altered")
            else:
                full = False
            prev = by_seq[seq] = entry["hash"]
    print(f"{len(by_seq)} entries; head: entry {max(by_seq, default=0)} {prev}")
    if not full:
        print("entries without details: only the links between them were checked")
    for manifest in manifests:
        with open(manifest, encoding="utf-8") as text:
            head = re.search(r"^# audit head: entry (\\d+) ([0-9a-f]{64})$", text.read(), re.M)
        if not head:
            problems.append(f"{manifest}: names no audit head")
        elif by_seq.get(int(head[1])) != head[2]:
            problems.append(f"{manifest}: audit entry {head[1]} is not the one it names")
        else:
            print(f"{manifest}: audit entry {head[1]} is in the log, as stamped")
    for problem in problems:
        print("PROBLEM:", problem)
    print("audit chain: OK" if not problems else f"audit chain: FAILED ({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
'''


@dataclass
class Contents:
    """What a package holds, for its README."""

    case_id: str
    pseudonymised: bool
    head: tuple[int, str]
    reports: list[str]
    evidence: dict[str, int]
    captures: list[str]
    timestamps: list[str]
    ca_files: set[str] = field(default_factory=set)
    items: int = 0


def readme_text(c: Contents, top: str, zip_name: str) -> str:
    """The package's README: what is in it, and the commands that check each part."""
    out = [f"EVIDENCE PACKAGE of case {' '.join(str(c.case_id).split())}",
           "=" * 40, "",
           f"Written by the SOCMINT workbench at audit entry {c.head[0]} ({c.head[1]}).",
           "Everything below is checked with standard tools, from this folder:",
           f"    unzip {zip_name}   (or any unzip)   then   cd {top}", ""]
    out += _contents(c)
    out += ["", "1. EVERY FILE IS AS PACKAGED", "",
            "    sha256sum -c MANIFEST.sha256", "",
            "Proves: no file listed was changed or lost since the package was written. Does not",
            "prove when it was written, or that the case held nothing else: MANIFEST.sha256 is",
            "in the package itself, so compare its SHA-256 with the one the sender gives you",
            "(`sha256sum MANIFEST.sha256`), or rely on the timestamps below.", ""]
    out += _timestamp_section(c)
    out += ["", "3. THE AUDIT LOG", "",
            "    python3 audit/check_audit.py audit/audit.jsonl"
            + (" timestamps/*/manifest.sha256" if c.timestamps else ""), "",
            "Proves: the log's entries follow each other unaltered (each hash covers the entry",
            "and the hash before it), and each timestamp's audit head is in the log. Each entry's",
            "detail carries the digest of its row-level ledger, which stays in the case.",
            "Does not prove: that the log is complete after its last timestamped head."]
    if c.pseudonymised:
        out += ["This package is pseudonymised: the entries keep their times, actions and hashes",
                "but not their details, so only the links between entries can be checked here."]
    out += ["", "4. CAPTURED WEB PAGES (WACZ)", ""]
    if c.captures:
        out += [f"    {path}" for path in c.captures] + [
                "",
                "Each of these is a WACZ: a web archive of a page as the workbench's browser loaded",
                "it (the other capture files are its screenshot, HTML and text). To replay one,",
                "copy it to a name ending in .wacz and open it in ReplayWeb.page",
                "(https://replayweb.page or its desktop app: \"Load\" a local file; it is read in",
                "your browser, not uploaded), e.g.", "",
                f"    cp {c.captures[0]} page.wacz", "",
                "`wacz validate -f page.wacz` (pip install wacz) checks the hashes inside it.",
                "Proves: what the browser received and rendered at capture time, sealed by the",
                "hashes above. Does not prove that every visitor saw the same page."]
    else:
        out += ["This package holds no captures." + (" (left out: pseudonymised)" if c.pseudonymised
                                                     else "")]
    out += ["", "WHAT NONE OF THIS PROVES", "",
            "That the posts are true, that an account belongs to a person, or that the platform",
            "served complete or unaltered data: only that these bytes are what the workbench",
            "collected and kept, unaltered since the times shown.", ""]
    return "\n".join(out)


def _contents(c: Contents) -> list[str]:
    out = ["CONTENTS", ""]
    out += [f"    {r:<34} the case report" for r in c.reports] or ["    (no report: none was "
                                                                   "rendered after the last purge)"]
    if c.pseudonymised:
        out += ["    items.jsonl                        the items, accounts as keyed-hash pseudonyms",
                "                                       (as in the report); raw_sha256 ties each to",
                "                                       its raw payload, which the case holder keeps"]
    else:
        out += [f"    raw/ab/<sha256>                    {c.evidence.get('raw', 0)} raw payloads, "
                "exactly as received, named by their SHA-256",
                f"    media/ab/<sha256>                  {c.evidence.get('media', 0)} media files",
                f"    captures/ab/<sha256>               {c.evidence.get('capture', 0)} capture files",
                f"    items.jsonl                        the {c.items} items kept, as stored: each",
                "                                       names its raw payload's SHA-256 and where",
                "                                       in it the record is (raw_locator, raw_span)",
                "    case.yaml                          the case plan (legal basis, retention)"]
    out += ["    audit/audit.jsonl                  the audit log, one entry a line, with hashes",
            "    audit/check_audit.py               recomputes its hash chain (Python 3, stdlib)",
            "    timestamps/N/                      each RFC 3161 timestamp: manifest.sha256 (what",
            "                                       was stamped), token.tsr, the TSA's certificates",
            "    MANIFEST.sha256                    the SHA-256 of every file above",
            "Items purged from the case are not in it, nor are their files."]
    if c.pseudonymised:
        out += ["Pseudonymised: the raw payloads, media, captures and plan name accounts, so they",
                "are left out (the timestamp manifests list their hashes, for whoever holds the",
                "case); the pseudonyms cannot be reversed without a key that was never stored."]
    return out


def _timestamp_section(c: Contents) -> list[str]:
    out = ["2. TRUSTED TIMESTAMPS (RFC 3161)", ""]
    if not c.timestamps:
        return out + ["This package holds no timestamp (take one with `workbench timestamp`)."]
    for n in c.timestamps:
        ca = f"timestamps/{n}/tsa-ca.pem" if n in c.ca_files else "TSA-CA.pem"
        out += [f"    openssl ts -verify -in timestamps/{n}/token.tsr -data timestamps/{n}/manifest.sha256"
                f" -CAfile {ca}",
                f"    openssl ts -reply -in timestamps/{n}/token.tsr -text",
                f"    openssl x509 -in {ca} -noout -subject -fingerprint -sha256"]
        if not c.pseudonymised:
            out += [f"    sha256sum -c --ignore-missing timestamps/{n}/manifest.sha256"]
        out += [""]
        if n not in c.ca_files:
            out += [f"(No CA file was stored with timestamp {n}: save the TSA's CA certificate as",
                    "TSA-CA.pem first.)", ""]
    out += ["The first command prints \"Verification: OK\" when the TSA signed exactly that",
            "manifest; the second shows when (Time stamp) and who (TSA). Trust the CA file only",
            "after comparing the fingerprint the third prints with the TSA's published",
            "certificate (tsa-certs.pem holds the certificates the token itself carries: the",
            "TSA's own, perhaps its chain)."]
    if c.pseudonymised:
        out += ["The manifests list evidence files by their SHA-256; this package leaves them out."]
    else:
        out += ["The last checks the packaged evidence files against the manifest (files purged",
                "since are skipped: --ignore-missing)."]
    out += ["",
            "Proves: every evidence file listed, and the audit log up to the head the manifest",
            "names (entry by entry, through the hash chain), existed unaltered at the stamped",
            "time, as vouched by the TSA, not by the analyst. Does not prove: anything added",
            "after that time, nor that what was collected was authentic."]
    return out
