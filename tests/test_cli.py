"""The command line, run as a user runs it: a subprocess, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest

from .conftest import post


def wb(*args, cwd=None, input=None):
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, input=input, timeout=120)


@pytest.fixture
def case_dir(tmp_path):
    path = tmp_path / "op-river"
    done = wb("new", path, "--title", "River fire", "--legal-basis", "public interest research",
              "--retention-until", "2099-01-01", "--keyword", "fire", "--hashtag", "#smoke",
              "--requirement", "Who posted first?")
    assert done.returncode == 0, done.stderr
    assert "created case op-river" in done.stdout
    return path


def test_new_validates_the_plan(tmp_path):
    done = wb("new", tmp_path / "c", "--title", "t", "--legal-basis", "research",
              "--retention-until", "someday")
    assert done.returncode == 2
    assert done.stderr.startswith("error:") and "retention_until" in done.stderr
    assert "Traceback" not in done.stderr
    missing = wb("new", tmp_path / "c", "--title", "t", "--retention-until", "2030-01-01")
    assert missing.returncode == 2 and "--legal-basis" in missing.stderr
    past = wb("new", tmp_path / "old", "--title", "t", "--legal-basis", "research",
              "--retention-until", "2020-01-01")
    assert past.returncode == 2 and "2020-01-01 has passed" in past.stderr
    assert not (tmp_path / "old").exists()


def test_import_items_verify_export_purge(case_dir, tmp_path):
    data = tmp_path / "posts.jsonl"
    data.write_text("\n".join(json.dumps(post(i)) for i in range(12)) + "\n{bad\n")
    done = wb("import", case_dir, data, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "jsonl, 12 imported, 0 duplicates, 1 quarantined" in done.stdout
    again = wb("import", case_dir, data)
    assert "0 imported, 12 duplicates" in again.stdout

    listed = wb("items", case_dir, "--text", "fire", "--format", "jsonl")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 12 and rows[0]["uid"].startswith("generic:")
    table = wb("items", case_dir, "--author", "user3", "--limit", "1")
    assert "1 items" in table.stdout

    assert wb("verify", case_dir).stdout.rstrip().endswith("verify: OK")

    out = tmp_path / "items.parquet"
    exported = wb("export", case_dir, "--what", "items", "--format", "parquet", "-o", out)
    assert exported.returncode == 0 and "wrote 12 items" in exported.stdout
    import pandas as pd

    assert len(pd.read_parquet(out)) == 12
    audit_csv = tmp_path / "audit.csv"
    assert wb("export", case_dir, "--what", "audit", "--format", "csv", "-o", audit_csv
              ).returncode == 0
    assert "import.finished" in audit_csv.read_text()

    refused = wb("purge", case_dir, "--all")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    purged = wb("purge", case_dir, "--before", "2024-03-05", "--reason", "test", "--yes")
    assert purged.returncode == 0 and "destroyed 4 items" in purged.stdout
    verified = wb("verify", case_dir)
    assert verified.returncode == 0 and "why: test" in verified.stdout


def test_verify_fails_naming_the_tampered_file(case_dir, tmp_path):
    data = tmp_path / "p.csv"
    data.write_text("id,date,text\n1,2024-03-01T00:00:00Z,hello\n")
    wb("import", case_dir, data)
    raw = next((case_dir / "raw").glob("*/*"))
    raw.chmod(0o644)
    raw.write_text("id,date,text\n1,2024-03-01T00:00:00Z,goodbye\n")
    done = wb("verify", case_dir)
    assert done.returncode == 1
    assert f"{raw.name}: altered" in done.stderr
    assert "verify: FAILED (1 problems)" in done.stdout


def test_import_errors_are_one_line_and_exit_1(case_dir, tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("hello\n")
    done = wb("import", case_dir, odd)
    assert done.returncode == 1
    assert "not a format the workbench knows" in done.stderr and "Traceback" not in done.stderr
    bad_map = wb("import", case_dir, odd, "--map", "nonsense")
    assert bad_map.returncode == 2 and "field=column" in bad_map.stderr


def test_import_reads_times_as_told_and_takes_raised_caps(case_dir, tmp_path):
    table = tmp_path / "dates.csv"
    table.write_text("id,created_at,text\n1,03/04/2024 10:00,fire\n", encoding="utf-8")
    done = wb("import", case_dir, table, "--dayfirst", "--max-field-size", "128M",
              "--max-member-size", "2G", "--max-file-size", "4G")
    assert done.returncode == 0, done.stderr
    assert "dates.csv: csv, 1 imported" in done.stdout
    listed = wb("items", case_dir, "--format", "jsonl")
    assert json.loads(listed.stdout)["created_at"].startswith("2024-04-03T10:00")
    both = wb("import", case_dir, table, "--monthfirst", "--time-format", "%m/%d/%Y %H:%M")
    assert both.returncode == 2 and "not both" in both.stderr
    size = wb("import", case_dir, table, "--max-file-size", "lots")
    assert size.returncode == 2 and "not a size: 'lots'" in size.stderr


def test_items_table_keeps_bidi_overrides_inside_an_isolate(case_dir, tmp_path):
    texts = ["abc \u202eevil\u202c t", "o \u202egnp"]
    data = tmp_path / "bidi.jsonl"
    data.write_text("\n".join(json.dumps(post(i, text=t, author="e\u202ev")) for i, t in enumerate(texts)))
    assert wb("import", case_dir, data, "--no-progress").returncode == 0
    lines = [line for line in wb("items", case_dir).stdout.splitlines() if "\u202e" in line]
    assert len(lines) == 2
    for line in lines:
        # Every override sits in an FSI..PDI isolate that closes it (PDF) before the PDI.
        assert line.count("\u202e") == 2 and line.count("\u2068") == 2
        for start in (i for i, c in enumerate(line) if c == "\u2068"):
            span = line[start:line.index("\u2069", start)]
            assert span.count("\u202e") == span.count("\u202c") == 1
    listed = wb("items", case_dir, "--format", "jsonl").stdout.splitlines()
    stored = [json.loads(row)["text"] for row in listed]
    assert sorted(stored) == sorted(texts)  # the stored text is left as it was


def test_post_text_in_a_table_is_text_not_console_markup(case_dir, tmp_path):
    data = tmp_path / "markup.jsonl"
    data.write_text(json.dumps(post(1, text="[bold red]sale[/bold red] [link=x]y[/link]", author="[b]z")))
    assert wb("import", case_dir, data, "--no-progress").returncode == 0
    shown = wb("items", case_dir, "--limit", "1").stdout
    # Cells wrap in a narrow terminal; as markup, rich would have consumed every tag.
    assert "[link=x]y[/link]" in shown and "[/bold" in shown and "[b]z" in shown


def test_not_a_case_is_a_usage_error(tmp_path):
    done = wb("items", tmp_path)
    assert done.returncode == 2 and "not a case" in done.stderr


def test_formats_lists_every_format():
    from workbench.collect import formats

    done = wb("formats")
    for name in formats():
        if not name.startswith("test-"):  # a plugin the tests register in their own process
            assert name in done.stdout


def test_judge_records_lists_and_withdraws_key_judgements(case_dir, tmp_path):
    data = tmp_path / "posts.jsonl"
    data.write_text("\n".join(json.dumps(post(i)) for i in range(3)) + "\n")
    assert wb("import", case_dir, data).returncode == 0
    uid = json.loads(wb("items", case_dir, "--format", "jsonl").stdout.splitlines()[0])["uid"]
    done = wb("judge", case_dir, "user1 posted first [bold]x[/bold]", "--requirement", "1",
              "--confidence", "high", "--likelihood", "highly likely", "--evidence", uid)
    assert done.returncode == 0, done.stderr
    assert "judgement 1 recorded" in done.stdout and "[bold]x[/bold]" in done.stdout  # text, not markup
    assert "requirement 1, high confidence, highly likely, 1 evidence item(s)" in done.stdout
    listed = wb("judge", case_dir)
    assert "user1 posted first" in listed.stdout and uid in listed.stdout
    bad = wb("judge", case_dir, "x", "--requirement", "2", "--confidence", "high")
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "numbered 1 to 1" in bad.stderr
    missing = wb("judge", case_dir, "x", "--requirement", "1")
    assert missing.returncode == 2 and "--confidence" in missing.stderr
    withdrawn = wb("judge", case_dir, "--remove", "1")
    assert withdrawn.returncode == 0 and "judgement 1 withdrawn" in withdrawn.stdout


@pytest.mark.parametrize(("args", "said"), [
    (("import", "{case}", "no-such-file.csv"), "no such file"),
    (("import", "{case}", "{file}", "--format", "no-such-format"), "unknown format"),
    (("items", "{case}", "--since", "not-a-date"), "not a recognised time"),
    (("entities", "{case}", "--label", "NO-SUCH-LABEL"), "no entity in this case is labelled"),
    (("enrich", "{case}", "--processes", "0"), "at least 1"),
    (("run", "{case}", "--phase", "no-such-phase"), "unknown phase"),
])
def test_usage_errors_exit_2_with_one_line(case_dir, tmp_path, args, said):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps(post(1)) + "\n")
    done = wb(*(arg.format(case=case_dir, file=posts) for arg in args))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error:") and said in done.stderr and "Traceback" not in done.stderr


def test_a_missing_file_among_others_spares_them_and_still_exits_2(case_dir, tmp_path):
    posts = tmp_path / "posts.jsonl"
    posts.write_text(json.dumps(post(1)) + "\n")
    done = wb("import", case_dir, tmp_path / "missing.jsonl", posts)
    assert done.returncode == 2 and "missing.jsonl: no such file" in done.stderr
    assert "1 imported" in done.stdout
