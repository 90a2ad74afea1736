"""Participatory budgeting: Linju's computing core (``linju pb``) against pabutools 1.2.3, the
reference library, on the same files in the same run, with the outcomes checked identical.

On Łódź 2023 (``bench/data``: 70,747 approval ballots, 139 projects): reading the file, greedy
by votes and the Method of Equal Shares (MES, cost utilities). MES with the Add1 completion
(run to the end, as Wieliczka did) runs MES once per increment of the endowment: Linju's is
timed on Łódź; pabutools' would take far longer than 10 minutes there (the number of MES runs
Linju needed times pabutools' time for one), so both are timed on Wieliczka 2023 and Świecie
2023 (the test data) instead, and the estimate for Łódź is printed.

pabutools is installed for this benchmark only, with pip, into a cache folder
(``$XDG_CACHE_HOME``, else ``~/.cache``, then ``linju-bench/pabutools-1.2.3``), together with
what it imports (gmpy2, numpy, pulp, natsort; pinned below), and runs in a child process so
that none of it is imported here. Times are CPU seconds of the process (both sides are single
threaded, and CPU time holds steady on a busy machine): Linju's the best of a few runs,
pabutools' one run each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from linju.foundation.pb import rules
from linju.foundation.pb.pbfile import read_pb

ROOT = Path(__file__).resolve().parent.parent
LODZ = ROOT / "bench" / "data" / "Poland_Lodz_2023.pb"
ADD1_FILES = (
    ROOT / "tests" / "foundation" / "data" / "Poland_Wieliczka_2023_Green_Budget.pb",
    ROOT / "tests" / "foundation" / "data" / "Poland_Swiecie_2023.pb",
)
PACKAGES = (
    "pabutools==1.2.3",
    "gmpy2==2.3.2",
    "numpy==2.4.6",
    "pulp==3.3.2",
    "natsort==8.4.0",
)
LINJU_RUNS = 3
LIMIT_SECONDS = 600

# Runs in the child process, with pabutools on its path: times each task and prints the
# outcomes (project ids in the order bought) as JSON.
CHILD = """
import json, sys, time
from pabutools.election import Cost_Sat, parse_pabulib
from pabutools.rules import (
    exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares,
)

def timed(work):
    start = time.process_time()
    result = work()
    return time.process_time() - start, result

results = []
for path, names in json.loads(sys.argv[1]):
    seconds, (instance, profile) = timed(lambda: parse_pabulib(path))
    results.append({"path": path, "task": "parse", "seconds": seconds})
    voters = profile.num_ballots()
    for name in names:
        if name == "greedy":
            work = lambda: greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        elif name == "mes":
            work = lambda: method_of_equal_shares(instance, profile, sat_class=Cost_Sat)
        else:
            work = lambda: exhaustion_by_budget_increase(
                instance, profile, method_of_equal_shares, {"sat_class": Cost_Sat},
                budget_step=voters, exhaustive_stop=False,
            )
        seconds, outcome = timed(work)
        results.append({
            "path": path, "task": name, "seconds": seconds,
            "selected": [project.name for project in outcome],
        })
        print(f"    (pabutools {name} on {path.rsplit('/', 1)[-1]}: {seconds:.1f} s)", flush=True)
print(json.dumps(results))
"""


def run() -> None:
    print(
        "\nparticipatory budgeting: Linju against pabutools 1.2.3 (same files, same run; "
        "CPU seconds)"
    )
    site = _pabutools()
    print("  pabutools, one run each (this takes several minutes):")
    theirs = _pabutools_times(
        site,
        [
            (str(LODZ), ["greedy", "mes"]),
            *((str(path), ["add1"]) for path in ADD1_FILES),
        ],
    )

    print(f"  {LODZ.name}:")
    parse_s, instance = _best(lambda: rules.instance_from_election(read_pb(LODZ)))
    print(
        f"    {instance.voters:,} ballots, {len(instance.project_ids)} projects, budget "
        f"{instance.budget}"
    )
    _report("parse", parse_s, theirs[(str(LODZ), "parse")]["seconds"])
    seconds, outcome = _best(lambda: rules.greedy(_fresh(instance)))
    _report("greedy", seconds, _check(theirs[(str(LODZ), "greedy")], outcome))
    seconds, outcome = _best(lambda: rules.mes(_fresh(instance)))
    mes_theirs = _check(theirs[(str(LODZ), "mes")], outcome)
    _report("MES", seconds, mes_theirs)
    seconds, outcome = _best(lambda: rules.mes_add1(_fresh(instance)), runs=1)
    assert outcome.increments is not None
    estimate = (outcome.increments + 2) * mes_theirs
    print(
        f"    Linju MES-Add1: {seconds:.2f} s ({outcome.increments + 2} MES runs, endowment "
        f"{float(outcome.endowment or 0):.2f}, {len(outcome.selected)} projects)"
    )
    print(
        f"    pabutools MES-Add1 would take about {estimate / 60:.0f} min here "
        f"(> {LIMIT_SECONDS // 60} min: {outcome.increments + 2} runs × {mes_theirs:.1f} s), "
        "so it is timed on Wieliczka and Świecie instead:"
    )
    for path in ADD1_FILES:
        print(f"  {path.name}:")
        election = rules.instance_from_election(read_pb(path))
        seconds, outcome = _best(partial(_add1, election))
        _report("MES-Add1", seconds, _check(theirs[(str(path), "add1")], outcome))


def _pabutools() -> Path:
    """The folder pabutools is installed in (installed on first use)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    site = cache / "linju-bench" / "pabutools-1.2.3"
    if (site / "pabutools").is_dir():
        return site
    print(f"  installing {', '.join(PACKAGES)} into {site} (once)")
    partial = site.with_name(f"{site.name}.{os.getpid()}.partial")
    subprocess.run(  # noqa: S603 - our own interpreter's pip, pinned packages
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--target",
            str(partial),
            *PACKAGES,
        ],
        check=True,
    )
    partial.replace(site)
    return site


def _pabutools_times(
    site: Path, tasks: list[tuple[str, list[str]]]
) -> dict[tuple[str, str], dict[str, Any]]:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHILD, json.dumps(tasks)],
        env={**os.environ, "PYTHONPATH": str(site)},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    results = json.loads(completed.stdout.splitlines()[-1])
    for line in completed.stdout.splitlines()[:-1]:
        print(line)
    return {(result["path"], result["task"]): result for result in results}


def _add1(instance: rules.Instance) -> rules.Outcome:
    return rules.mes_add1(_fresh(instance))


def _fresh(instance: rules.Instance) -> rules.Instance:
    # A copy without the MES engine built by an earlier run: each timing builds its own.
    return rules.Instance(
        budget=instance.budget,
        project_ids=instance.project_ids,
        costs=instance.costs,
        ballots=instance.ballots,
        scores=instance.scores,
        vote_type=instance.vote_type,
    )


def _best(work: Callable[[], Any], *, runs: int = LINJU_RUNS) -> tuple[float, Any]:
    best = float("inf")
    result = None
    for _ in range(runs):
        start = time.process_time()
        result = work()
        best = min(best, time.process_time() - start)
    return best, result


def _check(theirs: dict[str, Any], outcome: rules.Outcome) -> float:
    """pabutools' time, once its outcome is checked to be Linju's (same projects, same order)."""
    if list(outcome.selected) != theirs["selected"]:
        raise SystemExit(
            f"outcomes differ on {theirs['path']} ({theirs['task']}): Linju "
            f"{list(outcome.selected)}, pabutools {theirs['selected']}"
        )
    return float(theirs["seconds"])


def _report(label: str, ours: float, theirs: float) -> None:
    print(
        f"    Linju {label}: {ours:.3f} s, pabutools {theirs:.1f} s, {theirs / ours:,.0f}× faster"
        + ("" if label == "parse" else " (identical outcomes)")
    )
