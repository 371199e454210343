from relata.sales.models.deals import Deal, DealContact, DealStatus, StageVisit
from relata.sales.models.documents import (
    DocumentCounter,
    DocumentKind,
    DocumentState,
    DocumentTemplate,
    SalesDocument,
    SellerDetails,
    next_states,
)
from relata.sales.models.leads import HONEYPOT_FIELD, Lead, LeadSource, LeadStatus, WebForm
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
from relata.sales.models.plans import PeriodKind, SalesPlan, is_period_start, period_end

__all__ = [
    "BUILTIN_LOSS_REASONS",
    "REQUIRABLE_FIELDS",
    "Deal",
    "DealContact",
    "DealLine",
    "DealStatus",
    "DocumentCounter",
    "DocumentKind",
    "DocumentState",
    "DocumentTemplate",
    "HONEYPOT_FIELD",
    "HandoffPolicy",
    "Lead",
    "LeadSource",
    "LeadStatus",
    "LossReason",
    "PeriodKind",
    "Pipeline",
    "SalesMode",
    "SalesDocument",
    "SalesPlan",
    "SellerDetails",
    "Stage",
    "StageVisit",
    "WebForm",
    "is_period_start",
    "next_states",
    "period_end",
]
