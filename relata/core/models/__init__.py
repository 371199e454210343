from relata.core.models.base import OwnedModel, VersionedModel, WorkspaceModel, WorkspaceQuerySet
from relata.core.models.events import AppendOnlyError, Event
from relata.core.models.jobs import FINISHED_STATES, Job, JobState
from relata.core.models.lists import ListEntry
from relata.core.models.members import Membership
from relata.core.models.notifications import Notification, OutgoingEmail
from relata.core.models.roles import Role, Scope
from relata.core.models.security import LoginThrottle
from relata.core.models.teams import Team
from relata.core.models.tokens import ApiToken
from relata.core.models.users import User, normalize_email
from relata.core.models.workspace import Workspace

__all__ = [
    "ApiToken",
    "AppendOnlyError",
    "Event",
    "FINISHED_STATES",
    "Job",
    "JobState",
    "ListEntry",
    "LoginThrottle",
    "Membership",
    "Notification",
    "OutgoingEmail",
    "OwnedModel",
    "Role",
    "Scope",
    "Team",
    "User",
    "VersionedModel",
    "Workspace",
    "WorkspaceModel",
    "WorkspaceQuerySet",
    "normalize_email",
]
