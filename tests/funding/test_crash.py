"""The crash test: money writes sent through the API by clients that retry with their
idempotency keys, while the server process is killed (``kill -9``, master and workers) at
random moments and started again. Afterwards every acknowledged write is there exactly once,
nothing is doubled, and ``linju verify-ledger`` exits 0.

The server is a real gunicorn with a database of its own (the suite's test database is not
visible to another process): a SQLite file in a temporary data folder, or, when the suite runs
under ``DATABASE_URL``, a throw-away database on that PostgreSQL server. The harness is
``bench/crash.py``; ``python -m bench --only crash`` runs it with 10,000 writes and 20 kills.
"""

from __future__ import annotations

import os

from bench import crash

WRITES = 1000
KILLS = 3
CLIENTS = 8


def test_killing_the_server_during_money_writes_loses_and_doubles_nothing():
    """1,000 contributions from 8 retrying clients (a quarter of them cash without a transfer
    reference, one in 20 sent twice at once), 3 kills: every write is acknowledged and stored
    exactly once, with the acknowledged amount and entry number; the other entries are exactly
    the generated matching ones, whose total is what the rule gives; the kills really cut
    requests short; and the chain verifies."""
    with crash.site(os.environ.get("DATABASE_URL") or None) as place:
        run = crash.hammer(place, writes=WRITES, kills=KILLS, clients=CLIENTS)
        stored = crash.inspect(place)
        code, output = crash.verify_ledger(place)
    findings = crash.check(run, stored)

    assert run.kills == KILLS
    assert sum(run.in_flight) > 0  # each kill cut requests short
    assert run.retries > 0
    assert findings.problems == []
    assert len(run.acks) == WRITES
    assert (findings.duplicates, findings.missing, findings.unacknowledged) == (0, 0, 0)
    assert findings.contributions == WRITES
    assert findings.entries == WRITES + findings.matches
    assert code == 0, output
    assert f"{findings.entries} entries" in output and "ok" in output
