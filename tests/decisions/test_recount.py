"""`linju recount RECORD.json`: a published record recounted with no database.

Exit 0 with the count as JSON; exit 2 (and nothing on standard output) for a bad record, with
the offending entry named; exit 1 for usage errors and unreadable files.
"""

import hashlib
import io
import json
import os
import subprocess
import sys

import pytest

from linju.decisions import record

CONTRACT_EXAMPLE = {
    "matter": 7,
    "roll": [{"flat": "17-1-302", "area": "89.50", "owner": "O-0001"}],
    "ballots": [{"owner": "O-0001", "choice": "agree"}],
}
CONTRACT_EXAMPLE_COUNT = {
    "matter": 7,
    "participation": {"area": "89.50/89.50", "heads": "1/1", "quorum": True},
    "approval": {"area": "89.50/89.50", "heads": "1/1", "threshold": "3/4", "passed": True},
    "result": "passed",
    "reasons": [],
    "quorum_threshold": "2/3",
    "counts": {
        "agree": {"area": "89.50", "heads": 1},
        "disagree": {"area": "0.00", "heads": 0},
        "abstain": {"area": "0.00", "heads": 0},
    },
}

# Renovation (item 7) in building 17. The developer's two unsold flats are one head; one
# area is a JSON number, one has three decimals. Worked by hand:
#   owners: O-0001 89.50, O-0002 100.25, DEV 70.00 + 80 = 150.00, O-0003 60.125
#   total 399.875 m², 4 heads; all vote.
#   agree: O-0001 + DEV + O-0003 = 299.625 m², 3 heads -> 3/4 of heads, but
#   299.625 × 4 = 1198.5 < 399.875 × 3 = 1199.625, so short of 3/4 of the area: failed.
BUILDING_17 = """{
  "matter": 7,
  "estate": "中浩云花园",
  "roll": [
    {"flat": "17-1-101", "area": 89.5, "owner": "O-0001"},
    {"flat": "17-1-102", "area": "100.25", "owner": "O-0002"},
    {"flat": "17-1-201", "area": "70.00", "owner": "DEV"},
    {"flat": "17-1-202", "area": "80", "owner": "DEV"},
    {"flat": "17-1-301", "area": "60.125", "owner": "O-0003"}
  ],
  "ballots": [
    {"owner": "O-0001", "choice": "agree"},
    {"owner": "DEV", "choice": "agree"},
    {"owner": "O-0002", "choice": "disagree"},
    {"owner": "O-0003", "choice": "agree"}
  ]
}"""
BUILDING_17_COUNT = {
    "matter": 7,
    "participation": {"area": "399.875/399.875", "heads": "4/4", "quorum": True},
    "approval": {
        "area": "299.625/399.875",
        "heads": "3/4",
        "threshold": "3/4",
        "passed": False,
    },
    "result": "failed",
    "reasons": ["area_approval_not_met"],
    "quorum_threshold": "2/3",
    "counts": {
        "agree": {"area": "299.625", "heads": 3},
        "disagree": {"area": "100.25", "heads": 1},
        "abstain": {"area": "0.00", "heads": 0},
    },
}


def run(tmp_path, capsys, text):
    path = tmp_path / "record.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    code = record.main([str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def with_(**changes):
    return json.dumps({**CONTRACT_EXAMPLE, **changes})


def roll_of(*lines):
    return [{"flat": flat, "area": area, "owner": owner} for flat, area, owner in lines]


TWO_OWNERS = roll_of(("A", "50.00", "O-1"), ("B", "50.00", "O-2"))

BAD_RECORDS = {
    "not JSON": ("{matter: 7", "not valid JSON"),
    "not UTF-8": (b'{"matter": 7, "roll": "\xff"}', "not valid JSON"),
    "nested too deeply": ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    "not an object": ("[1, 2]", "the record must be an object"),
    "missing matter": (json.dumps({"roll": [], "ballots": []}), 'missing field "matter"'),
    "missing roll": (json.dumps({"matter": 7, "ballots": []}), 'missing field "roll"'),
    "missing ballots": (
        json.dumps({"matter": 7, "roll": CONTRACT_EXAMPLE["roll"]}),
        'missing field "ballots"',
    ),
    "missing flat": (
        with_(roll=[{"area": "1", "owner": "O-1"}]),
        'roll[0]: missing field "flat"',
    ),
    "missing area": (
        with_(roll=[*TWO_OWNERS, {"flat": "C", "owner": "O-3"}]),
        'roll[2] (flat "C"): missing field "area"',
    ),
    "missing owner": (
        with_(roll=[{"flat": "17-1-302", "area": "1"}]),
        'roll[0] (flat "17-1-302"): missing field "owner"',
    ),
    "missing ballot owner": (with_(ballots=[{"choice": "agree"}]), "ballots[0]: missing field"),
    "missing choice": (
        with_(ballots=[{"owner": "O-0001"}]),
        'ballots[0] (owner "O-0001"): missing field "choice"',
    ),
    "roll not a list": (with_(roll={"flat": "A"}), "roll must be a list"),
    "empty roll": (with_(roll=[], ballots=[]), "roll must list at least one flat"),
    "roll entry not an object": (with_(roll=["17-1-302"]), "roll[0] must be an object"),
    "empty flat": (with_(roll=roll_of((" ", "1", "O-1"))), "roll[0]: flat"),
    "owner not a string": (with_(roll=roll_of(("A", "1", 7))), 'roll[0] (flat "A"): owner 7'),
    "matter 0": (with_(matter=0), "matter 0 must be"),
    "matter 10": (with_(matter=10), "matter 10 must be"),
    "matter as a string": (with_(matter="7"), 'matter "7" must be'),
    "matter true": (with_(matter=True), "matter true must be"),
    "matter 7.0": ('{"matter": 7.0, "roll": [], "ballots": []}', "matter 7.0 must be"),
    "matter null": (with_(matter=None), "matter null must be"),
    "choice yes": (
        with_(
            roll=TWO_OWNERS,
            ballots=[{"owner": "O-1", "choice": "agree"}, {"owner": "O-2", "choice": "yes"}],
        ),
        'ballots[1] (owner "O-2"): choice "yes" must be agree, disagree or abstain',
    ),
    "choice in capitals": (
        with_(ballots=[{"owner": "O-0001", "choice": "AGREE"}]),
        'ballots[0] (owner "O-0001"): choice "AGREE"',
    ),
    "choice null": (
        with_(ballots=[{"owner": "O-0001", "choice": None}]),
        'ballots[0] (owner "O-0001"): choice null',
    ),
    "area zero": (with_(roll=roll_of(("17-1-302", "0.00", "O-0001"))), 'area "0.00" must be'),
    "area zero as a number": (
        with_(roll=roll_of(("17-1-302", 0, "O-0001"))),
        'roll[0] (flat "17-1-302"): area 0 must be',
    ),
    "area negative": (
        with_(roll=[*TWO_OWNERS, *roll_of(("17-1-302", "-1", "O-0001"))]),
        'roll[2] (flat "17-1-302"): area "-1" must be a positive number of m²',
    ),
    "area negative number": (
        '{"matter": 7, "roll": [{"flat": "A", "area": -0.5, "owner": "O"}], "ballots": []}',
        'roll[0] (flat "A"): area -0.5 must be',
    ),
    "area not a number": (with_(roll=roll_of(("A", "89,50", "O-1"))), 'area "89,50" must be'),
    "area empty": (with_(roll=roll_of(("A", "", "O-1"))), 'roll[0] (flat "A"): area "" must'),
    "area full-width digits": (with_(roll=roll_of(("A", "８９.５", "O-1"))), 'area "８９.５"'),
    "area NaN": (
        '{"matter": 7, "roll": [{"flat": "A", "area": NaN, "owner": "O"}], "ballots": []}',
        'roll[0] (flat "A"): area NaN must be',
    ),
    "area Infinity": (
        '{"matter": 7, "roll": [{"flat": "A", "area": Infinity, "owner": "O"}], "ballots": []}',
        'roll[0] (flat "A"): area Infinity must be',
    ),
    "area NaN as a string": (with_(roll=roll_of(("A", "NaN", "O-1"))), 'area "NaN" must be'),
    "area true": (with_(roll=roll_of(("A", True, "O-1"))), 'roll[0] (flat "A"): area true'),
    "area absurdly large": (
        '{"matter": 7, "roll": [{"flat": "A", "area": 1e999999999, "owner": "O"}], "ballots": []}',
        'roll[0] (flat "A"): area 1E+999999999 must be',
    ),
    "area a million digits long": (
        with_(roll=roll_of(("A", "9" * 1_000_000, "O-1"))),
        'roll[0] (flat "A"): area "999',
    ),
    "flat listed twice": (
        with_(roll=roll_of(("A", "1", "O-1"), ("B", "1", "O-2"), ("A", "2", "O-3"))),
        'roll[2] (flat "A"): the flat is listed twice (first at roll[0])',
    ),
    "ballot from an owner not on the roll": (
        with_(ballots=[{"owner": "O-0099", "choice": "agree"}]),
        'ballots[0]: owner "O-0099" is not on the roll',
    ),
    "two ballots from one owner": (
        with_(
            roll=TWO_OWNERS,
            ballots=[
                {"owner": "O-1", "choice": "agree"},
                {"owner": "O-2", "choice": "agree"},
                {"owner": "O-1", "choice": "disagree"},
            ],
        ),
        'ballots[2]: owner "O-1" already voted (at ballots[0])',
    ),
    "served owner not on the roll": (
        with_(deemed_consent={"served": ["O-0001", "O-0099"]}),
        'deemed_consent.served[1]: owner "O-0099" is not on the roll',
    ),
    "served owner listed twice": (
        with_(roll=TWO_OWNERS, ballots=[], deemed_consent={"served": ["O-2", "O-2"]}),
        'deemed_consent.served[1]: owner "O-2" is listed twice',
    ),
    "served missing": (with_(deemed_consent={}), 'deemed_consent: missing field "served"'),
    "fingerprint not a digest": (with_(fingerprint="abc"), 'fingerprint "abc" must be'),
}


@pytest.mark.parametrize(("text", "named"), BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_bad_record_exits_2_naming_the_entry(tmp_path, capsys, text, named):
    """Each kind of bad record exits 2, names the offending entry, and prints no result."""
    code, out, err = run(tmp_path, capsys, text)
    assert code == 2
    assert named in err
    assert len(err) < 500  # the entry is named, not echoed at length
    assert out == ""


def test_contract_example(tmp_path, capsys):
    """The record format's own example: one owner agrees, item 7 passes."""
    code, out, err = run(tmp_path, capsys, json.dumps(CONTRACT_EXAMPLE))
    assert (code, err) == (0, "")
    assert json.loads(out) == CONTRACT_EXAMPLE_COUNT


def test_hand_worked_record(tmp_path, capsys):
    """Building 17's renovation vote: 3 of 4 heads agree, 0.01% short of 3/4 of the area."""
    code, out, err = run(tmp_path, capsys, BUILDING_17)
    assert (code, err) == (0, "")
    assert json.loads(out) == BUILDING_17_COUNT
    assert out == json.dumps(BUILDING_17_COUNT, ensure_ascii=False, indent=2) + "\n"


def test_json_numbers_are_read_exactly(tmp_path, capsys):
    """Areas given as the JSON numbers 0.1, 0.1, 0.1: 2 of 3 owners voting is exactly 2/3."""
    text = """{"matter": 4,
      "roll": [{"flat": "A", "area": 0.1, "owner": "O-1"},
               {"flat": "B", "area": 0.1, "owner": "O-2"},
               {"flat": "C", "area": 0.1, "owner": "O-3"}],
      "ballots": [{"owner": "O-1", "choice": "agree"}, {"owner": "O-2", "choice": "agree"}]}"""
    assert not (0.1 + 0.1 >= (0.1 + 0.1 + 0.1) * 2 / 3)  # read through floats, no quorum
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 0
    output = json.loads(out)
    assert output["participation"] == {"area": "0.20/0.30", "heads": "2/3", "quorum": True}
    assert output["result"] == "passed"


def test_half_the_area_is_not_more_than_half(tmp_path, capsys):
    """0.1 + 0.2 m² agreeing against 0.3 m² is exactly half: item 4 fails on area."""
    text = """{"matter": 4,
      "roll": [{"flat": "A", "area": 0.1, "owner": "O-1"},
               {"flat": "B", "area": "0.2", "owner": "O-2"},
               {"flat": "C", "area": 0.3, "owner": "O-3"}],
      "ballots": [{"owner": "O-1", "choice": "agree"}, {"owner": "O-2", "choice": "agree"},
                  {"owner": "O-3", "choice": "disagree"}]}"""
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 0
    output = json.loads(out)
    assert output["approval"]["area"] == "0.30/0.60"
    assert (output["result"], output["reasons"]) == ("failed", ["area_approval_not_met"])


def test_no_quorum_is_the_result_even_when_voters_agree(tmp_path, capsys):
    """1 of 2 owners voting is no quorum: result "no_quorum", approval not passed."""
    text = with_(roll=TWO_OWNERS, matter=4, ballots=[{"owner": "O-1", "choice": "agree"}])
    code, out, _ = run(tmp_path, capsys, text)
    output = json.loads(out)
    assert code == 0
    assert output["result"] == "no_quorum"
    assert output["approval"]["passed"] is False
    assert output["reasons"] == ["area_quorum_not_met", "heads_quorum_not_met"]


def test_deemed_consent_is_an_extra_tally(tmp_path, capsys):
    """Served non-voters join the voters' majority in "deemed"; "result" stays strict.

    O-1 and O-2 agree, O-3 disagrees, O-4 and O-5 do not vote; O-1 and O-4 were served.
    Strictly 3 of 5 heads voted: no quorum. Deemed: O-4 counts as agreeing (O-1 voted and
    is not counted twice), 4 of 5 heads and 90 of 100 m²: passed.
    """
    roll = roll_of(
        ("A", "30.00", "O-1"),
        ("B", "30.00", "O-2"),
        ("C", "20.00", "O-3"),
        ("D", "10.00", "O-4"),
        ("E", "10.00", "O-5"),
    )
    ballots = [
        {"owner": "O-1", "choice": "agree"},
        {"owner": "O-2", "choice": "agree"},
        {"owner": "O-3", "choice": "disagree"},
    ]
    text = with_(matter=4, roll=roll, ballots=ballots, deemed_consent={"served": ["O-1", "O-4"]})
    code, out, _ = run(tmp_path, capsys, text)
    output = json.loads(out)
    assert code == 0
    assert output["result"] == "no_quorum"
    deemed = output["deemed"]
    assert deemed["majority"] == "agree"
    assert deemed["counted_nonvoters"] == 1
    assert deemed["participation"] == {"area": "90.00/100.00", "heads": "4/5", "quorum": True}
    assert deemed["approval"]["area"] == "70.00/90.00"
    assert deemed["result"] == "passed"


def test_deemed_consent_without_a_majority_counts_nobody(tmp_path, capsys):
    """Voters split (most area agrees, most heads do not): no non-voter is counted."""
    roll = roll_of(("A", "60.00", "O-1"), ("B", "20.00", "O-2"), ("C", "20.00", "O-3"))
    roll += roll_of(("D", "10.00", "O-4"))
    ballots = [
        {"owner": "O-1", "choice": "agree"},
        {"owner": "O-2", "choice": "disagree"},
        {"owner": "O-3", "choice": "disagree"},
    ]
    text = with_(matter=4, roll=roll, ballots=ballots, deemed_consent={"served": ["O-4"]})
    output = json.loads(run(tmp_path, capsys, text)[1])
    assert output["deemed"]["majority"] == "no_majority"
    assert output["deemed"]["counted_nonvoters"] == 0
    assert output["deemed"]["participation"] == output["participation"]


def test_no_deemed_tally_unless_asked(tmp_path, capsys):
    """Without "deemed_consent" or "fingerprint" in the record, neither is in the output."""
    output = json.loads(run(tmp_path, capsys, json.dumps(CONTRACT_EXAMPLE))[1])
    assert "deemed" not in output and "fingerprint" not in output


def test_roll_fingerprint_definition():
    """The fingerprint is the SHA-256 of the sorted, canonical JSON of the roll."""
    canonical = (
        '[{"area":"70.00","flat":"17-1-201","owner":"开发商"},'
        '{"area":"89.50","flat":"17-1-302","owner":"O-0001"}]'
    )
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    parsed = record.parse_record(
        with_(
            roll=roll_of(("17-1-302", 89.5, "O-0001"), ("17-1-201", "70", "开发商")),
            ballots=[],
        )
    )
    assert record.roll_fingerprint(parsed.roll) == expected
    # Another spelling of the same areas, in another order, gives the same fingerprint.
    respelled = record.parse_record(
        with_(
            roll=roll_of(("17-1-201", "70.000", "开发商"), ("17-1-302", "89.50", "O-0001")),
            ballots=[],
        )
    )
    assert record.roll_fingerprint(respelled.roll) == expected
    # The record's own line objects, areas as strings, give it too.
    lines = [
        {"flat": "17-1-302", "area": "89.5", "owner": "O-0001"},
        {"flat": "17-1-201", "area": "70.00", "owner": "开发商"},
    ]
    assert record.roll_fingerprint(lines) == expected


def test_fingerprint_is_checked(tmp_path, capsys):
    """A recorded fingerprint is compared with the roll's; any change to the roll shows."""
    good = record.roll_fingerprint(record.parse_record(json.dumps(CONTRACT_EXAMPLE)).roll)
    output = json.loads(run(tmp_path, capsys, with_(fingerprint=good.upper()))[1])
    assert output["fingerprint"] == {
        "recorded": good.upper(),
        "computed": good,
        "matches": True,
    }
    changed = with_(fingerprint=good, roll=roll_of(("17-1-302", "89.51", "O-0001")))
    output = json.loads(run(tmp_path, capsys, changed)[1])
    assert output["fingerprint"]["matches"] is False


def test_blank_fingerprint_means_none_was_taken(tmp_path, capsys):
    """An empty or null fingerprint is no fingerprint: nothing to compare, no error."""
    for blank in ("", None):
        code, out, _ = run(tmp_path, capsys, with_(fingerprint=blank))
        assert code == 0
        assert "fingerprint" not in json.loads(out)


def test_unknown_fields_are_ignored(tmp_path, capsys):
    """Fields the format does not define (a title, a flat's building) change nothing."""
    text = json.dumps(
        {
            **CONTRACT_EXAMPLE,
            "title": "楼道翻新",
            "roll": [{**CONTRACT_EXAMPLE["roll"][0], "building": "17"}],
        }
    )
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 0
    assert json.loads(out) == CONTRACT_EXAMPLE_COUNT


def test_standard_input(monkeypatch, capsys):
    """ "-" reads the record from standard input."""
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(CONTRACT_EXAMPLE).encode("utf-8")))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert record.main(["-"]) == 0
    assert json.loads(capsys.readouterr().out) == CONTRACT_EXAMPLE_COUNT


@pytest.mark.parametrize("argv", [[], ["a.json", "b.json"], ["--verbose", "a.json"]])
def test_usage_errors_exit_1(capsys, argv):
    """Missing or extra arguments are usage errors (exit 1, not 2), with the usage on stderr."""
    assert record.main(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "usage: linju recount" in err


def test_missing_file_exits_1(tmp_path, capsys):
    """A file that cannot be read is not a bad record: exit 1, naming the path."""
    missing = tmp_path / "nowhere.json"
    assert record.main([str(missing)]) == 1
    assert record.main([str(tmp_path)]) == 1  # a folder
    out, err = capsys.readouterr()
    assert out == ""
    assert "nowhere.json" in err


def test_help_exits_0(capsys):
    """--help prints the usage and exits 0."""
    assert record.main(["--help"]) == 0
    assert "usage: linju recount" in capsys.readouterr().out


def test_console_command_needs_no_database(tmp_path):
    """`linju recount` runs with no settings module and an unreachable database."""
    path = tmp_path / "record.json"
    path.write_text(BUILDING_17, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    completed = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main()", "recount", str(path)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    assert json.loads(completed.stdout) == BUILDING_17_COUNT


def test_console_command_bad_record_exits_2(tmp_path):
    """The console command passes on the recount's exit code for a bad record."""
    path = tmp_path / "record.json"
    path.write_text(with_(matter=0), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [sys.executable, "-c", "from linju.cli import main; main()", "recount", str(path)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "matter 0" in completed.stderr
    assert completed.stdout == ""


def test_rules_and_record_import_no_django(tmp_path):
    """The counting modules load without Django, so a recount cannot touch a database."""
    code = (
        "import sys\n"
        "import linju.decisions.record, linju.decisions.rules\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
