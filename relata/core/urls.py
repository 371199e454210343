from django.urls import path

from relata.core.views import audit, auth, handover, jobs, members, modules, profile, roles, teams

app_name = "core"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("no-access/", auth.no_access, name="no_access"),
    path("password/change/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/complete/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", profile.profile, name="profile"),
    path("profile/tokens/", profile.tokens, name="tokens"),
    path("profile/tokens/<int:pk>/revoke/", profile.token_revoke_view, name="token_revoke"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("jobs/<int:pk>/", jobs.job_detail, name="job_detail"),
    path("jobs/<int:pk>/cancel/", jobs.job_cancel_view, name="job_cancel"),
    path("settings/members/", members.member_list, name="members"),
    path("settings/members/new/", members.member_new, name="member_new"),
    path("settings/members/<int:user_id>/", members.member_edit, name="member_edit"),
    path(
        "settings/members/<int:user_id>/deactivate/",
        members.member_set_active,
        {"active": False},
        name="member_deactivate",
    ),
    path(
        "settings/members/<int:user_id>/reactivate/",
        members.member_set_active,
        {"active": True},
        name="member_reactivate",
    ),
    path("settings/teams/", teams.team_list, name="teams"),
    path("settings/teams/new/", teams.team_new, name="team_new"),
    path("settings/teams/<int:pk>/", teams.team_edit, name="team_edit"),
    path("settings/teams/<int:pk>/delete/", teams.team_delete_view, name="team_delete"),
    path("settings/roles/", roles.role_list, name="roles"),
    path("settings/roles/new/", roles.role_new, name="role_new"),
    path("settings/roles/<int:pk>/", roles.role_edit, name="role_edit"),
    path("settings/roles/<int:pk>/delete/", roles.role_delete_view, name="role_delete"),
    path("settings/modules/", modules.modules, name="modules"),
    path("settings/workspace/", modules.workspace_settings, name="workspace"),
    path("settings/audit/", audit.audit_log, name="audit"),
    path("settings/audit/export/", audit.audit_export, name="audit_export"),
    path("settings/handover/", handover.handover, name="handover"),
]
