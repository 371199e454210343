"""Give workspaces created before activities existed the built-in task types and
outcomes (new workspaces get them when created)."""

from django.db import migrations

TASK_TYPES = ["call_back", "send_offer", "offer_discount", "control_payment", "send_documents", "meeting"]
OUTCOMES = [
    ("interested", True),
    ("asked_for_offer", True),
    ("agreed_to_meet", True),
    ("thinking", None),
    ("call_later", None),
    ("no_answer", None),
    ("has_supplier", False),
    ("refused", False),
]


def seed(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    TaskType = apps.get_model("activities", "TaskType")
    Outcome = apps.get_model("activities", "Outcome")
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        if not TaskType.objects.filter(workspace_id=workspace_id).exists():
            TaskType.objects.bulk_create(
                [TaskType(workspace_id=workspace_id, key=key, position=n * 10) for n, key in enumerate(TASK_TYPES)]
            )
        if not Outcome.objects.filter(workspace_id=workspace_id).exists():
            Outcome.objects.bulk_create(
                [
                    Outcome(workspace_id=workspace_id, key=key, position=n * 10, is_positive=positive)
                    for n, (key, positive) in enumerate(OUTCOMES)
                ]
            )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
