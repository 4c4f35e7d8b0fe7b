"""House rules that hold for the whole package."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

NO_SOCKETS = """
import socket
def refuse(*args, **kwargs):
    raise AssertionError("a socket was opened at import")
socket.socket.connect = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
import importlib, pkgutil, workbench
for module in pkgutil.walk_packages(workbench.__path__, "workbench."):
    importlib.import_module(module.name)
workbench.Case, workbench.CasePlan
print("ok")
"""


def test_importing_every_module_opens_no_socket():
    done = subprocess.run([sys.executable, "-c", NO_SOCKETS], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_import_is_lazy():
    done = subprocess.run([sys.executable, "-c", "import sys, workbench; "
                           "print(sorted(m for m in sys.modules if m in "
                           "('pandas', 'sqlite_utils', 'pydantic', 'typer')))"],
                          capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


def test_every_cli_command_is_in_the_readme():
    from workbench.cli import app

    readme = (ROOT / "README.md").read_text()
    commands = [c.name or c.callback.__name__.rstrip("_") for c in app.registered_commands]
    assert len(commands) >= 8
    for command in commands:
        assert f"workbench {command}" in readme, command


def test_every_format_is_in_the_readme():
    from workbench.collect import formats

    readme = (ROOT / "README.md").read_text()
    for name in formats():
        if not name.startswith("test-"):
            assert re.search(rf"`{re.escape(name)}`", readme), name


def test_readme_starts_with_the_two_commands():
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```bash") + 1 : lines.index("```")]
    assert [line.split()[0:2] for line in block] == [["make", "demo"], ["make", "test"]]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_sniffing_order_does_not_depend_on_import_order():
    code = ("import json, workbench.collect.bluesky, workbench.collect.generic; "
            "from workbench.collect import formats; print(json.dumps(list(formats())))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    names = json.loads(done.stdout)
    assert names[0] == "twitter-archive" and names[-3:] == ["csv", "jsonl", "json"]
