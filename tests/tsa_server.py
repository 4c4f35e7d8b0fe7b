"""A throwaway RFC 3161 time-stamping authority on 127.0.0.1: ``openssl ts -reply`` behind a small
HTTP server, signing with a TSA certificate issued by a CA of its own, both made here with
``cryptography``. For the timestamp, verify and package tests."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.local_server import QuietHandler, serve

OPENSSL = shutil.which("openssl")
#: The mark of a test module that needs the openssl command (``openssl ts``).
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command is not installed "
                                   "(Debian: apt-get install openssl; `make test` installs it)")

CONFIG = """\
[ tsa ]
default_tsa = tsa_config

[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


@dataclass
class Authority:
    """A CA (``ca_pem``: the trust anchor to give ``--ca-file`` / ``--tsa-ca``) and the TSA it
    certified, in ``folder``."""

    folder: Path
    ca_pem: Path
    tsa_pem: Path
    key_pem: Path
    config: Path


def make_authority(folder: Path, name: str = "Test TSA") -> Authority:
    """A CA and a TSA certificate (critical EKU timeStamping, as RFC 3161 requires), with the
    ``openssl ts`` configuration that signs with them."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa = (x509.CertificateBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
           .issuer_name(ca_name).public_key(tsa_key.public_key())
           .serial_number(x509.random_serial_number())
           .not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                          critical=True)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                          critical=False)
           .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    ca_pem, tsa_pem, key_pem = folder / "ca.pem", folder / "tsa.pem", folder / "tsa.key"
    ca_pem.write_bytes(ca.public_bytes(pem))
    tsa_pem.write_bytes(tsa.public_bytes(pem))
    key_pem.write_bytes(tsa_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    (folder / "serial").write_text("01\n")
    config = folder / "tsa.cnf"
    config.write_text(CONFIG.format(dir=folder))
    return Authority(folder, ca_pem, tsa_pem, key_pem, config)


def serve_tsa(authority: Authority):
    """Answer POSTed timestamp queries with ``openssl ts -reply``; returns the server and its
    URL. ``server.queries`` counts the queries answered."""
    lock = threading.Lock()

    class Handler(QuietHandler):
        def do_POST(self):
            query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415, "expected application/timestamp-query")
                return
            with lock, tempfile.TemporaryDirectory() as tmp:
                q, r = Path(tmp) / "query.tsq", Path(tmp) / "reply.tsr"
                q.write_bytes(query)
                done = subprocess.run(
                    [OPENSSL, "ts", "-reply", "-config", str(authority.config), "-queryfile",
                     str(q), "-out", str(r)], capture_output=True)
                reply = r.read_bytes() if done.returncode == 0 and r.exists() else None
                self.server.queries += 1
            if reply is None:
                self.send_error(500, done.stderr.decode(errors="replace")[:200])
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server, url = serve(Handler)
    server.queries = 0
    return server, url + "/tsa"


@contextmanager
def running_tsa(folder: Path) -> Iterator[tuple[Authority, str, object]]:
    """A new authority in ``folder``, served while the block runs: ``(authority, url, server)``."""
    authority = make_authority(folder)
    server, url = serve_tsa(authority)
    try:
        yield authority, url, server
    finally:
        server.shutdown()
