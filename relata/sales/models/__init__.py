from relata.sales.models.deals import Deal, DealContact, DealStatus, StageVisit
from relata.sales.models.lines import DealLine
from relata.sales.models.pipelines import (
    BUILTIN_LOSS_REASONS,
    REQUIRABLE_FIELDS,
    HandoffPolicy,
    LossReason,
    Pipeline,
    SalesMode,
    Stage,
)

__all__ = [
    "BUILTIN_LOSS_REASONS",
    "REQUIRABLE_FIELDS",
    "Deal",
    "DealContact",
    "DealLine",
    "DealStatus",
    "HandoffPolicy",
    "LossReason",
    "Pipeline",
    "SalesMode",
    "Stage",
    "StageVisit",
]
