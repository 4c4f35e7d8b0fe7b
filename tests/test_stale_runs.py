"""A run left ``running`` by a process killed outright is marked interrupted when the case is next
opened; a run whose process still lives is left alone."""

import os
import signal
import subprocess
import sys

from workbench.case import Case

STARTER = """
import sys, time
from workbench.case import Case
from workbench.timeutil import now_text
case = Case.open(sys.argv[1])
run = case.db["runs"].insert({"kind": "import", "status": "running", "started_at": now_text()}).last_pk
print(run, flush=True)
time.sleep(600)
"""


def _case(tmp_path):
    return Case.create(tmp_path / "case", title="stale", legal_basis="research",
                       retention_until="2099-01-01")


def test_a_run_whose_process_was_killed_is_marked_interrupted(tmp_path):
    _case(tmp_path).close()
    starter = subprocess.Popen([sys.executable, "-c", STARTER, str(tmp_path / "case")],
                               stdout=subprocess.PIPE, text=True)
    try:
        run = int(starter.stdout.readline())
        with Case.open(tmp_path / "case") as case:  # its process lives: the run goes on
            assert case.db["runs"].get(run)["status"] == "running"
            assert case.db["runs"].get(run)["pid"] == starter.pid
        os.kill(starter.pid, signal.SIGKILL)
        starter.wait()
    finally:
        starter.kill()
    with Case.open(tmp_path / "case") as case:
        row = case.db["runs"].get(run)
        assert row["status"] == "interrupted" and row["finished_at"]
        (entry,) = case.db.execute("SELECT detail FROM audit WHERE action = 'run.abandoned'").fetchall()
        assert f'"runs":[{run}]' in entry[0]
    with Case.open(tmp_path / "case") as case:  # once only
        assert case.db.execute("SELECT count(*) FROM audit WHERE action = 'run.abandoned'").fetchone()[0] == 1


def test_a_pid_reused_by_a_later_process_does_not_keep_a_run_alive(tmp_path):
    with _case(tmp_path) as case:
        run = case.db["runs"].insert({"kind": "enrich", "status": "running",
                                      "started_at": "2001-01-01T00:00:00Z"}).last_pk
        assert case.db["runs"].get(run)["pid"] == os.getpid()  # this process began long after 2001
    with Case.open(tmp_path / "case") as case:
        assert case.db["runs"].get(run)["status"] == "interrupted"


def test_runs_of_other_hosts_and_finished_runs_are_left_alone(tmp_path):
    with _case(tmp_path) as case:
        other = case.db["runs"].insert({"kind": "import", "status": "running"}).last_pk
        case.db.execute("UPDATE runs SET host = 'elsewhere', pid = 1 WHERE id = ?", [other])
        done = case.db["runs"].insert({"kind": "import", "status": "done"}).last_pk
    with Case.open(tmp_path / "case") as case:
        assert case.db["runs"].get(other)["status"] == "running"
        assert case.db["runs"].get(done)["status"] == "done"
        assert case.db["runs"].get(done)["pid"] is None
