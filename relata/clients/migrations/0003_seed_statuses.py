"""Give workspaces created before the client base existed their default lifecycle
statuses (new workspaces get them when created)."""

from django.db import migrations

DEFAULTS = ["cold", "considering", "ready_to_buy", "client", "regular_client", "inactive"]


def seed(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    LifecycleStatus = apps.get_model("clients", "LifecycleStatus")
    for workspace_id in Workspace.objects.values_list("id", flat=True):
        if LifecycleStatus.objects.filter(workspace_id=workspace_id).exists():
            continue
        LifecycleStatus.objects.bulk_create(
            [
                LifecycleStatus(workspace_id=workspace_id, key=key, position=n * 10, is_default=(key == "cold"))
                for n, key in enumerate(DEFAULTS)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("clients", "0002_search_indexes"), ("core", "0002_event_append_only")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
