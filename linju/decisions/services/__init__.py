"""Writes for decisions: drafting, the lifecycle, the roll, casting online, paper and proxy
entry, counting and publishing.

Each service checks permission, locks the decision row, validates, writes and audits in one
transaction: a refused or invalid call writes nothing. Notifications and the worker's timed
steps (opening, reminders, closing) are booked after commit.

Lifecycle: draft → announced (the notice period runs; rules frozen; roll built; owners served)
→ open (roll re-synced and frozen, fingerprinted) → closed (no online ballot; paper ballots
collected before the close may still be entered) → tallied → published → archived; cancelled,
with a reason, at any point before the count.
"""

from linju.decisions.services.casting import (
    ballot_cast,
    ballot_link_use,
    paper_ballot_enter,
    paper_entry_discard,
)
from linju.decisions.services.common import Reason
from linju.decisions.services.drafting import (
    decision_create,
    decision_settings_update,
    decision_update,
)
from linju.decisions.services.lifecycle import (
    decision_announce,
    decision_archive,
    decision_cancel,
    decision_close,
    decision_open,
    decision_publish,
    decision_publish_remind,
    decision_remind,
    decision_tally,
)
from linju.decisions.services.roll import notice_served_on_paper, roll_amend

__all__ = [
    "Reason",
    "ballot_cast",
    "ballot_link_use",
    "decision_announce",
    "decision_archive",
    "decision_cancel",
    "decision_close",
    "decision_create",
    "decision_open",
    "decision_publish",
    "decision_publish_remind",
    "decision_remind",
    "decision_settings_update",
    "decision_tally",
    "decision_update",
    "notice_served_on_paper",
    "paper_ballot_enter",
    "paper_entry_discard",
    "roll_amend",
]
