"""Two processes (a notebook kernel and a papermill run, say) writing one case at once."""

import json
import subprocess
import sys
import textwrap

from workbench.case import Case

WORKER = textwrap.dedent("""
    import sys
    from workbench.case import Case
    case = Case.open(sys.argv[1])
    for path in sys.argv[2:]:
        case.import_file(path, progress=False)
        case.items(text="river")  # read between writes, as an analyst's notebook would
        case.update_plan(keywords=[path])
""")


def test_two_processes_import_into_one_case(case, tmp_path):
    files = {}
    for worker in ("a", "b"):
        files[worker] = []
        for part in range(3):
            path = tmp_path / f"{worker}{part}.jsonl"
            rows = [{"id": f"{worker}{part}-{i}", "created_at": "2024-03-01T00:00:00Z",
                     "text": f"river post {i}", "author": f"{worker}{i % 50}"} for i in range(3000)]
            path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
            files[worker].append(str(path))
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(case.path), *paths],
                              stderr=subprocess.PIPE, text=True)
             for paths in files.values()]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    reopened = Case.open(case.path)
    assert len(reopened.items()) == 18000
    runs = list(reopened.db.query("SELECT status, imported FROM runs"))
    assert runs == [{"status": "done", "imported": 3000}] * 6
    assert reopened.verify().ok
