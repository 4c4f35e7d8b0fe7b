"""What the ``workbench`` command's modules share: the consoles, the case folder argument, opening
a case."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

CaseDir = Annotated[Path, typer.Argument(help="The case folder, e.g. cases/my-case.")]


def case_at(path: Path):
    """The case in ``path`` (a clear error when it is not a case folder)."""
    from workbench.case import Case

    return Case.open(path)
