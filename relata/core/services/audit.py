from __future__ import annotations

from typing import Any

from relata.core.access import require
from relata.core.audit import record_event
from relata.core.models import Membership


def audit_log_exported_event(actor: Membership, *, filters: dict[str, Any], rows: int, fmt: str) -> None:
    """Record that the actor exported the audit log (exports are always audited)."""
    require(actor, "admin", "export")
    record_event(
        kind="audit.exported",
        workspace=actor.workspace,
        actor=actor.user,
        data={"filters": filters, "rows": rows, "format": fmt},
    )
