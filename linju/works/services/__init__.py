"""Writes for design, works and acceptance. Each service checks permission, locks the project
row, validates, writes and audits in one transaction: a refused or invalid call writes nothing.
"""

from linju.works.services.acceptance import (
    acceptance_item_add,
    acceptance_item_check,
    acceptance_paper_record,
    acceptance_representatives_set,
    acceptance_sign,
    evaluation_give,
)
from linju.works.services.design import (
    design_option_add,
    design_plan_add,
    design_scope_set,
    design_vote_start,
    owners_decision_offer,
)
from linju.works.services.works import (
    milestone_add,
    milestone_complete,
    quote_add,
    quote_choose,
    supervision_add,
)

__all__ = [
    "acceptance_item_add",
    "acceptance_item_check",
    "acceptance_paper_record",
    "acceptance_representatives_set",
    "acceptance_sign",
    "design_option_add",
    "design_plan_add",
    "design_scope_set",
    "design_vote_start",
    "evaluation_give",
    "milestone_add",
    "milestone_complete",
    "owners_decision_offer",
    "quote_add",
    "quote_choose",
    "supervision_add",
]
