from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from relata.core.models.base import VersionedModel, WorkspaceModel


class Membership(WorkspaceModel, VersionedModel):
    """A user's place in a workspace: role, team, active or not.

    A membership is the *actor* that services, selectors and jobs receive: it knows the
    workspace, the user, the permissions and the visibility scope.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("user")
    )
    role = models.ForeignKey("core.Role", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("role"))
    team = models.ForeignKey(
        "core.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("team"),
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="core_membership_unique")]
        indexes = [models.Index(fields=["workspace", "team"], name="core_membership_ws_team")]

    def __str__(self) -> str:
        return str(self.user)

    def can(self, module: str, action: str) -> bool:
        """Whether the role grants `action` in `module` and the module is switched on."""
        return self.is_active and self.workspace.module_enabled(module) and self.role.grants(module, action)

    @property
    def scope(self) -> str:
        return self.role.scope

    @cached_property
    def team_user_ids(self) -> list[int]:
        """The users who are members of the actor's team subtree (the owners a "team" scope
        keeps), read once per actor. A list, not a subquery: over the small membership
        table, rarely analysed, the planner estimated a subquery at one row and joined a
        million clients in nested loops (10 s instead of 1.5 s at 1M clients)."""
        if not self.team_subtree_ids:
            return []
        members = Membership.objects.filter(workspace_id=self.workspace_id, team_id__in=self.team_subtree_ids)
        return sorted(members.values_list("user_id", flat=True))

    @cached_property
    def team_subtree_ids(self) -> frozenset[int]:
        """Ids of the actor's team and every team below it (empty without a team)."""
        from relata.core.selectors.teams import team_subtree_ids

        if self.team_id is None:
            return frozenset()
        return team_subtree_ids(self.workspace_id, self.team_id)
