"""Opinion map: `linju opinion-map` on a synthetic consultation of 5,000 participants and 400
statements (each participant votes on about 60% of them: some 1.2 million votes), with three
planted opinion groups and noise, timed as a whole process (wall time, peak memory of the
process), against red-dwarf (the Python port of Polis's math, on pandas and scikit-learn) doing
the same in a process of its own: read the same CSV, project, cluster, pick representative and
consensus statements. Both are scored by the adjusted Rand index of their groups against the
planted ones (1 = the same partition).

red-dwarf is installed for the benchmark only, into a cache folder outside the project
(``$XDG_CACHE_HOME/linju-bench``, else ``~/.cache/linju-bench``), never into Linju's
environment. If it cannot be installed or run, the output says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from math import comb
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np

SEED = 23
GROUP_SHARES = (0.5, 0.3, 0.2)
VOTED_SHARE = 0.6
FOLLOWS_GROUP = (
    0.65  # the chance that a vote is the group's; otherwise agree/disagree/pass at random
)
RED_DWARF = "red-dwarf==0.4.0"

RED_DWARF_DRIVER = """\
import json, sys
import pandas as pd
from reddwarf.implementations.polis import run_pipeline

frame = pd.read_csv(sys.argv[1], dtype={"participant": "int64", "statement": "int64"})
votes = frame.rename(
    columns={"participant": "participant_id", "statement": "statement_id"}
).to_dict("records")
result = run_pipeline(votes=votes, random_state=0)
labels = result.participants_df["cluster_id"]
groups = {str(p): (None if pd.isna(g) else int(g)) for p, g in labels.items()}
with open(sys.argv[2], "w") as out:
    json.dump({"groups": groups, "repness": len(result.repness)}, out)
"""


# Runs a command and reports its wall time and peak memory. It is a small process of its own:
# the peak memory of a child forked straight from this benchmark (which holds the generated
# votes) would include the benchmark's own pages.
MEASURE = """\
import json, os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
figures = {"seconds": seconds, "peak_kb": usage.ru_maxrss}
figures["cpu"] = usage.ru_utime + usage.ru_stime
figures["exit"] = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    json.dump(figures, out)
"""
# Both sides get one BLAS thread, as linju's opinion map sets for itself: on a machine whose
# cores are busy, more threads make numpy's linear algebra slower, red-dwarf's included.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Timed:
    seconds: float
    cpu: float
    peak_kb: int
    returncode: int
    stderr: str


def run(*, participants: int = 5000, statements: int = 400, runs: int = 3) -> None:
    with TemporaryDirectory(prefix="linju-opinion-bench-") as folder:
        votes_file = Path(folder) / "votes.csv"
        started = time.perf_counter()
        planted, vote_count = _synthetic(votes_file, participants, statements)
        sizes = " / ".join(f"{size:,}" for size in sorted(Counter(planted.values()).values())[::-1])
        print(
            f"\nopinion map: {participants:,} participants × {statements:,} statements, "
            f"{vote_count:,} votes, planted groups of {sizes}; CSV "
            f"{votes_file.stat().st_size / 1e6:.1f} MB (written in "
            f"{time.perf_counter() - started:.1f} s)"
        )
        ours = _linju(votes_file, Path(folder) / "map.json", planted, runs)
        theirs = _red_dwarf(votes_file, Path(folder), planted, runs)
        if ours is not None and theirs is not None:
            print(
                f"  → linju is {theirs.seconds / ours.seconds:.1f}× faster than red-dwarf "
                f"(aim: ≥ 10×; {theirs.cpu / ours.cpu:.1f}× in CPU time) and uses "
                f"{theirs.peak_kb / ours.peak_kb:.1f}× less memory"
            )


# --- The data ----------------------------------------------------------------------------------


def _synthetic(path: Path, participants: int, statements: int) -> tuple[dict[str, int], int]:
    """Write the votes CSV; return each participant's planted group and the number of votes."""
    random = np.random.default_rng(SEED)
    opinions = random.choice([1, -1, 0], p=[0.4, 0.4, 0.2], size=(len(GROUP_SHARES), statements))
    group = random.choice(len(GROUP_SHARES), p=GROUP_SHARES, size=participants)
    voted = random.random((participants, statements)) < VOTED_SHARE
    follows = random.random((participants, statements)) < FOLLOWS_GROUP
    noise = random.choice([1, -1, 0], size=(participants, statements))
    matrix = np.where(follows, opinions[group], noise)
    rows, cols = np.nonzero(voted)
    order = random.permutation(len(rows))  # votes arrive mixed, as over a consultation's days
    rows, cols = rows[order], cols[order]
    values = matrix[rows, cols]
    ids = random.permutation(participants) + 1  # participant ids 1..n, groups interleaved
    lines = [
        f"{participant},{statement},{value}"
        for participant, statement, value in zip(
            ids[rows].tolist(), (cols + 1).tolist(), values.tolist(), strict=True
        )
    ]
    path.write_text("participant,statement,vote\n" + "\n".join(lines) + "\n", encoding="utf-8")
    planted = {str(ids[row]): int(group[row]) for row in range(participants)}
    return planted, len(lines)


# --- The two runs ------------------------------------------------------------------------------


def _linju(votes_file: Path, output: Path, planted: dict[str, int], runs: int) -> Timed | None:
    console = Path(sys.executable).with_name("linju")
    command = (
        [str(console)]
        if console.exists()
        else [sys.executable, "-c", "from linju.cli import main; main()"]
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update(ONE_THREAD)
    timed = _best([*command, "opinion-map", str(votes_file)], env, output, runs)
    if timed.returncode != 0:
        print(f"  linju opinion-map failed (exit {timed.returncode}): {_tail(timed.stderr)}")
        return None
    result = json.loads(output.read_text(encoding="utf-8"))
    found = {participant: place["group"] for participant, place in result["participants"].items()}
    _report("linju opinion-map", timed, runs, planted, found, len(result["groups"]))
    return timed


def _red_dwarf(votes_file: Path, folder: Path, planted: dict[str, int], runs: int) -> Timed | None:
    site = _cache() / "red-dwarf"
    if not (site / "reddwarf").is_dir():
        print(f"  installing {RED_DWARF} (with pandas, scikit-learn, scipy) into {site} ...")
        shutil.rmtree(site, ignore_errors=True)
        installed = subprocess.run(  # noqa: S603 - our own interpreter's pip
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(site), RED_DWARF],
            capture_output=True,
            text=True,
            check=False,
        )
        if installed.returncode != 0 or not (site / "reddwarf").is_dir():
            print(
                f"  red-dwarf not measured: `pip install {RED_DWARF}` failed "
                f"(exit {installed.returncode}): {_tail(installed.stderr or installed.stdout)}"
            )
            return None
    driver = folder / "red_dwarf_driver.py"
    driver.write_text(RED_DWARF_DRIVER, encoding="utf-8")
    output = folder / "red_dwarf.json"
    env = {**os.environ, "PYTHONPATH": str(site), **ONE_THREAD}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, str(driver), str(votes_file), str(output)]
    timed = _best(command, env, None, runs)
    if timed.returncode != 0:
        print(f"  red-dwarf not measured: its run failed: {_tail(timed.stderr)}")
        return None
    result = json.loads(output.read_text(encoding="utf-8"))
    found = result["groups"]
    groups = len({group for group in found.values() if group is not None})
    _report("red-dwarf 0.4.0 (Polis)", timed, runs, planted, found, groups)
    return timed


def _best(command: list[str], env: dict[str, str], stdout: Path | None, runs: int) -> Timed:
    """The fastest of ``runs`` runs of the command as a process, with that run's peak memory."""
    best: Timed | None = None
    with TemporaryDirectory(prefix="linju-opinion-measure-") as folder:
        measured = Path(folder) / "measured.json"
        for _ in range(runs):
            with open(stdout or os.devnull, "wb") as out:
                done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
                    [sys.executable, "-c", MEASURE, str(measured), *command],
                    env=env,
                    stdout=out,
                    stderr=subprocess.PIPE,
                    check=False,
                )
            figures = json.loads(measured.read_text(encoding="utf-8"))
            timed = Timed(
                figures["seconds"],
                figures["cpu"],
                figures["peak_kb"],
                figures["exit"],
                done.stderr.decode("utf-8", "replace"),
            )
            if timed.returncode != 0:
                return timed
            if best is None or timed.seconds < best.seconds:
                best = timed
    assert best is not None
    return best


def _report(
    label: str,
    timed: Timed,
    runs: int,
    planted: dict[str, int],
    found: dict[str, int | None],
    groups: int,
) -> None:
    grouped = [participant for participant, group in found.items() if group is not None]
    score = adjusted_rand_index(
        [planted[participant] for participant in grouped],
        [found[participant] for participant in grouped],
    )
    print(
        f"  {label:<26} {timed.seconds:6.2f} s (best of {runs}; CPU {timed.cpu:.2f} s)  peak "
        f"{timed.peak_kb / 1024:6.0f} MB  {groups} groups, {len(grouped):,} grouped  "
        f"ARI {score:.4f}"
    )


def adjusted_rand_index(truth: list[int], found: list[int | None]) -> float:
    """Hubert and Arabie's adjusted Rand index of two partitions of the same items."""
    pairs = sum(comb(count, 2) for count in Counter(zip(truth, found, strict=True)).values())
    rows = sum(comb(count, 2) for count in Counter(truth).values())
    cols = sum(comb(count, 2) for count in Counter(found).values())
    expected = rows * cols / comb(len(truth), 2)
    largest = (rows + cols) / 2
    if largest == expected:
        return 1.0
    return (pairs - expected) / (largest - expected)


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "linju-bench"


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-3:]) if lines else "(no message)"
