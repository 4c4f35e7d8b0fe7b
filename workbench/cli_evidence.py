"""The ``verify``, ``timestamp`` and ``package`` verbs of the ``workbench`` command: evidence that
stands up outside the case (registered by :mod:`workbench.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli_common import CaseDir, case_at, err, out


def verify(
    case_dir: CaseDir,
    tsa_ca: Annotated[Path | None, typer.Option(help="The TSA's CA certificate(s), PEM: check "
                                                "every timestamp's signature against it.")] = None,
) -> None:
    """Recompute every hash, check every timestamp offline; exit 1 naming what was altered or
    removed."""
    report = case_at(case_dir).verify(tsa_ca=tsa_ca)
    for line in report.lines():
        (out if not line.startswith("PROBLEM") else err).print(line, markup=False,
                                                                highlight=False)
    if not report.ok:
        raise typer.Exit(1)


def timestamp(
    case_dir: CaseDir,
    tsa: Annotated[str, typer.Option(help="The time-stamping authority's URL (RFC 3161 over HTTP), "
                                     "e.g. https://freetsa.org/tsr. The only network use.")],
    ca_file: Annotated[Path | None, typer.Option(help="The TSA's CA certificate(s), PEM: the token "
                                                 "is verified before it is stored, and the file "
                                                 "kept with it for evidence packages.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the TSA.")] = 30.0,
) -> None:
    """Get an RFC 3161 timestamp over every evidence hash and the audit head; stored, audited."""
    from workbench.timestamps import obtain

    result = obtain(case_at(case_dir), tsa, ca_file=ca_file, timeout=timeout)
    out.print(result.summary(), markup=False, highlight=False)


def package(
    case_dir: CaseDir,
    output: Annotated[Path, typer.Option("--output", "-o", help="The zip file to write.")],
    pseudonymise: Annotated[bool, typer.Option(help="Accounts as keyed-hash pseudonyms (as in the "
                                               "pseudonymised report); raw payloads, media, "
                                               "captures, the plan and audit details left "
                                               "out.")] = False,
) -> None:
    """Write an evidence package (zip) that anyone can check with sha256sum, openssl ts and a WACZ
    player: reports, raw payloads, media, captures, items, the audit log, timestamps, a README."""
    from workbench.package import write_package

    result = write_package(case_at(case_dir), output, pseudonymise=pseudonymise)
    for note in result.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    out.print(result.summary(), markup=False, highlight=False)
