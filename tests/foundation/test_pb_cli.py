"""`linju pb FILE.pb --rule RULE`: outcomes as JSON or a table; errors name the file's line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from linju.foundation.pb.cli import main

DATA = Path(__file__).parent / "data"
WIELICZKA = str(DATA / "Poland_Wieliczka_2023_Green_Budget.pb")
ASSEN = str(DATA / "Netherlands_Assen_2024.pb")

SMALL = """META
key;value
budget;10
vote_type;{vote_type}
PROJECTS
project_id;cost;name
a;6;Benches
b;7;Bird boxes
c;4;Lamps
VOTES
voter_id;vote{points_column}
1;a,b{points_1}
2;a,c{points_2}
"""


def small_file(tmp_path, vote_type="approval"):
    points = vote_type == "cumulative"
    path = tmp_path / "small.pb"
    path.write_text(
        SMALL.format(
            vote_type=vote_type,
            points_column=";points" if points else "",
            points_1=";5,5" if points else "",
            points_2=";9,1" if points else "",
        ),
        encoding="utf-8",
    )
    return str(path)


def run_json(capsys, *args):
    assert main([*args, "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def test_wieliczka_json(capsys):
    """MES-Add1 with the comparison step prints Wieliczka's official winners, the exact cost
    and the exact endowment (not a finite decimal, so a fraction)."""
    output = run_json(capsys, WIELICZKA, "--rule", "mes-add1", "--comparison")
    assert set(output) == {"selected", "cost", "endowment"}
    assert len(output["selected"]) == 30
    assert output["selected"][:3] == ["24", "41", "40"]
    assert output["cost"] == "995079"
    assert output["endowment"] == "1040052/3293"


def test_wieliczka_exhaustive_stop_json(capsys):
    """--exhaustive-stop gives 31 projects at about 302 zł."""
    output = run_json(capsys, WIELICZKA, "--rule", "mes-add1", "--exhaustive-stop")
    assert len(output["selected"]) == 31
    assert output["endowment"] == "993950/3293"


def test_exact_decimal_endowment_and_greedy_null(tmp_path, capsys):
    """An endowment with a finite decimal expansion prints as a decimal; greedy has none."""
    path = small_file(tmp_path)
    assert run_json(capsys, path, "--rule", "mes") == {
        "selected": ["a"],
        "cost": "6",
        "endowment": "5",
    }
    assert run_json(capsys, path, "--rule", "mes-add1") == {
        "selected": ["a", "c"],
        "cost": "10",
        "endowment": "9",
    }
    assert run_json(capsys, path, "--rule", "greedy") == {
        "selected": ["a", "c"],
        "cost": "10",
        "endowment": None,
    }


def test_half_endowment_prints_as_a_decimal(tmp_path, capsys):
    """budget 10.5 over 4 voters is 2.625 each, printed exactly."""
    path = tmp_path / "half.pb"
    path.write_text(
        "META\nkey;value\nbudget;10.5\nvote_type;approval\nPROJECTS\nproject_id;cost\n"
        "a;20\nVOTES\nvoter_id;vote\n1;a\n2;a\n3;\n4;\n",
        encoding="utf-8",
    )
    output = run_json(capsys, str(path), "--rule", "mes")
    assert output == {"selected": [], "cost": "0", "endowment": "2.625"}


def test_comparison_keeping_greedy_has_no_endowment(capsys):
    """When the comparison keeps greedy's outcome (Assen), there is no endowment to show."""
    output = run_json(capsys, ASSEN, "--rule", "mes-add1", "--comparison")
    assert output["endowment"] is None
    assert output["selected"] == run_json(capsys, ASSEN, "--rule", "greedy")["selected"]


def test_table(tmp_path, capsys):
    """Without --json, a table shows every project: the funded ones with their round and
    what their supporters paid, the others with the reason."""
    assert main([small_file(tmp_path), "--rule", "mes"]) == 0
    out = capsys.readouterr().out
    assert "endowment per voter 5.00" in out
    assert "funded: 1 projects, cost 6 (4 left)" in out
    rows = {line.split()[0]: line for line in out.splitlines()[5:]}
    assert "yes" in rows["a"]
    assert "rho 0.5, each supporter paid at most 3.00" in rows["a"]
    assert "its supporters were 5.00 short" in rows["b"]
    assert "Bird boxes" in rows["b"]


def test_table_with_comparison_and_greedy(capsys):
    """The table reports the comparison's counts and which outcome was kept."""
    assert main([ASSEN, "--rule", "mes-add1", "--comparison"]) == 0
    out = capsys.readouterr().out
    assert "comparison: 21 voters prefer MES, 25 greedy, 38 neither: greedy's outcome kept" in out
    assert "did not fit the remaining budget by" in out


def test_help_states_that_greedy_ignores_thresholds(capsys):
    """--help exits 0 and says greedy ignores META thresholds."""
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: linju pb" in out
    assert "min_project_score_threshold are ignored" in " ".join(out.split())


def test_bad_file_exits_2_naming_the_line(tmp_path, capsys):
    """A bad file exits 2 with one line on stderr naming the file's line."""
    path = tmp_path / "bad.pb"
    path.write_text(SMALL.replace("b;7;", "b;seven;"), encoding="utf-8")
    assert main([str(path), "--rule", "greedy", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"linju pb: {path}: line 8: cost 'seven' is not a number (digits, then optionally "
        "a decimal point and up to 6 decimals)\n"
    )


@pytest.mark.parametrize("rule", ["mes", "mes-add1", "mes-add1u"])
def test_cumulative_ballots_need_greedy(tmp_path, capsys, rule):
    """Cumulative ballots are refused by the MES rules (exit 2, naming the vote_type line)
    and counted by points by greedy."""
    path = small_file(tmp_path, "cumulative")
    assert main([path, "--rule", rule]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"linju pb: {path}: line 4: cumulative ballots are counted by --rule greedy only "
        "(by points)\n"
    )
    # Points: a 5 + 9, b 5, c 1.
    assert run_json(capsys, path, "--rule", "greedy")["selected"] == ["a", "c"]


def test_ordinal_ballots_are_not_counted(tmp_path, capsys):
    """Ordinal ballots are read, but every rule refuses them (exit 2)."""
    path = small_file(tmp_path, "ordinal")
    assert main([path, "--rule", "greedy"]) == 2
    assert "line 4: ordinal ballots are read but no rule here counts them" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rule", "greedy", "--comparison"], "--comparison"),
        (["--rule", "mes", "--exhaustive-stop"], "--exhaustive-stop"),
        (["--rule", "phragmen"], "invalid choice"),
        ([], "--rule"),
    ],
)
def test_usage_errors_exit_1(tmp_path, capsys, args, words):
    """Usage errors exit 1, before the file is read."""
    assert main([small_file(tmp_path), *args]) == 1
    assert words in capsys.readouterr().err


def test_missing_file_exits_1(tmp_path, capsys):
    """A file that cannot be read exits 1."""
    assert main([str(tmp_path / "none.pb"), "--rule", "mes"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_console_command_needs_no_django(tmp_path):
    """`linju pb` runs with no settings module and an unreachable database, without importing
    Django."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('django' in sys.modules, file=sys.stderr))\n"
        "from linju.cli import main\n"
        "main()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, "pb", ASSEN, "--rule", "mes-add1u", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "False\n")
    assert json.loads(completed.stdout) == {
        "selected": ["3", "9", "11", "2", "13", "14", "5", "6", "12", "7"],
        "cost": "88700",
        "endowment": "42703/21",
    }
