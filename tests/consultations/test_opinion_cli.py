"""`linju opinion-map VOTES.csv`: the map as JSON on standard output, exit 0; a malformed file
exits 2 with its first bad line named and nothing on standard output; usage errors and
unreadable files exit 1. No settings, database or Django needed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from linju.consultations.opinion import cli
from tests.consultations import opinion_data as data


def run(capsys, *argv):
    code = cli.main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_map_as_json(tmp_path, capsys):
    """Exit 0 and the map: groups with members and representative statements, consensus."""
    path = tmp_path / "votes.csv"
    path.write_bytes(data.as_csv(data.planted_votes()))
    code, out, err = run(capsys, path)
    assert (code, err) == (0, "")
    output = json.loads(out)
    assert [group["members"] for group in output["groups"]] == [
        data.planted_members(group) for group in (0, 1, 2)
    ]
    assert [sorted(group["representative"]) for group in output["groups"]] == [
        sorted(data.PLANTED[group]) for group in (0, 1, 2)
    ]
    assert output["consensus"] == [data.EVERYONE_AGREES]


def test_the_same_file_gives_the_same_output(tmp_path, capsys):
    """Running twice on one file prints the same bytes; so does the file with its lines in
    another order."""
    votes = data.planted_votes()
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_bytes(data.as_csv(votes))
    second.write_bytes(data.as_csv(sorted(votes)))
    outputs = [run(capsys, path)[1] for path in (first, first, second)]
    assert outputs[0] == outputs[1] == outputs[2]


def test_seed_and_indent_options(tmp_path, capsys):
    """--indent pretty-prints; --seed changes nothing on well-separated groups."""
    path = tmp_path / "votes.csv"
    path.write_bytes(data.as_csv(data.planted_votes()))
    plain = run(capsys, path)[1]
    code, indented, _err = run(capsys, path, "--indent", "2", "--seed", "7")
    assert code == 0 and indented.startswith('{\n  "groups"')
    assert json.loads(indented) == json.loads(plain)


def test_too_few_participants_exit_0_with_a_message(tmp_path, capsys):
    """Fewer than 15 grouped participants: exit 0, no groups, no consensus, a message."""
    path = tmp_path / "votes.csv"
    path.write_bytes(data.as_csv([(str(p), str(s), 1) for p in range(14) for s in range(9)]))
    code, out, err = run(capsys, path)
    assert (code, err) == (0, "")
    output = json.loads(out)
    assert output["groups"] == [] and output["consensus"] == []
    assert "15 participants" in output["message"]


def test_reads_standard_input(monkeypatch, capsys):
    """ "-" reads the votes from standard input."""
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(data.as_csv(data.planted_votes())))
    )
    code, out, _err = run(capsys, "-")
    assert code == 0 and len(json.loads(out)["groups"]) == 3


def test_malformed_file_exits_2_naming_the_line(tmp_path, capsys):
    """A bad vote on line 4 is named; nothing is printed on standard output."""
    path = tmp_path / "votes.csv"
    path.write_bytes(b"participant,statement,vote\n1,a,1\n2,a,-1\n3,a,7\n" + b"4,a,1\n" * 50)
    code, out, err = run(capsys, path)
    assert (code, out) == (2, "")
    assert "line 4: vote '7'" in err


@pytest.mark.parametrize(
    ("text", "line", "words"), data.MALFORMED.values(), ids=list(data.MALFORMED)
)
def test_every_kind_of_malformed_file_exits_2_naming_the_line(tmp_path, capsys, text, line, words):
    """Bad header, wrong field count, empty id, a vote not 1/-1/0, not UTF-8: exit 2, the line
    named on standard error, nothing computed."""
    path = tmp_path / "votes.csv"
    path.write_bytes(text + b"9,z,1\n" * 40)
    code, out, err = run(capsys, path)
    assert (code, out) == (2, "")
    assert f"line {line}: " in err and words in err


def test_not_utf8_exits_2_saying_so(tmp_path, capsys):
    """A file saved in GBK is refused, naming the line and the encoding."""
    path = tmp_path / "votes.csv"
    path.write_bytes("participant,statement,vote\n1,a,1\n李四,a,1\n".encode("gbk"))
    code, out, err = run(capsys, path)
    assert (code, out) == (2, "")
    assert "line 3" in err and "not UTF-8" in err


def test_usage_errors_and_unreadable_files_exit_1(tmp_path, capsys):
    """No file, an unknown option, a missing file or a folder: exit 1."""
    assert run(capsys)[0] == 1
    assert run(capsys, tmp_path / "votes.csv", "--bogus")[0] == 1
    code, out, err = run(capsys, tmp_path / "nowhere.csv")
    assert (code, out) == (1, "") and "nowhere.csv" in err
    assert run(capsys, tmp_path)[0] == 1


def test_help_exits_0(capsys):
    """--help prints the usage and exits 0."""
    code, out, _err = run(capsys, "--help")
    assert code == 0 and "usage: linju opinion-map" in out


def _without_django_settings():
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    return env


def test_console_command_runs_without_django(tmp_path):
    """`linju opinion-map` runs as its own process with no settings and no database."""
    path = tmp_path / "votes.csv"
    path.write_bytes(data.as_csv(data.planted_votes()))
    completed = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main()", "opinion-map", str(path)],
        env=_without_django_settings(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    output = json.loads(completed.stdout)
    assert [group["size"] for group in output["groups"]] == [20, 20, 20]
    assert output["participants"]["61"]["group"] is None


def test_console_command_bad_file_exits_2(tmp_path):
    """The console command passes on exit code 2 for a malformed file."""
    path = tmp_path / "votes.csv"
    path.write_bytes(b"participant;statement;vote\n1;a;1\n")
    completed = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main()", "opinion-map", str(path)],
        env=_without_django_settings(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (completed.returncode, completed.stdout) == (2, "")
    assert "line 1" in completed.stderr and "header" in completed.stderr


def test_opinion_modules_import_no_django(tmp_path):
    """The opinion map's modules load without Django, so the command starts fast."""
    code = (
        "import sys\n"
        "import linju.consultations.opinion.cli\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env=_without_django_settings(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
