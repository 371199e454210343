"""Give workspaces created before sales existed a pipeline and the built-in loss
reasons (new workspaces get them when created)."""

from django.db import migrations

LOSS_REASONS = ["price", "competitor", "no_budget", "no_need", "terms", "no_answer"]
STAGES = {
    "ru": ["Новая", "Квалификация", "Коммерческое предложение", "Переговоры", "Договор и счёт"],
    "en": ["New", "Qualification", "Commercial offer", "Negotiation", "Contract and invoice"],
}
PROBABILITIES = [10, 20, 40, 60, 80]


def seed(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LossReason = apps.get_model("sales", "LossReason")
    for workspace in Workspace.objects.all():
        if not LossReason.objects.filter(workspace=workspace).exists():
            LossReason.objects.bulk_create(
                [LossReason(workspace=workspace, key=key, position=n * 10) for n, key in enumerate(LOSS_REASONS)]
            )
        if Pipeline.objects.filter(workspace=workspace).exists():
            continue
        russian = (workspace.language or "ru").startswith("ru")
        pipeline = Pipeline.objects.create(workspace=workspace, name="Продажи" if russian else "Sales", position=10)
        names = STAGES["ru" if russian else "en"]
        Stage.objects.bulk_create(
            [
                Stage(workspace=workspace, pipeline=pipeline, name=name, probability=p, position=n * 10)
                for n, (name, p) in enumerate(zip(names, PROBABILITIES, strict=True))
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("core", "0004_notification_outgoingemail")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
