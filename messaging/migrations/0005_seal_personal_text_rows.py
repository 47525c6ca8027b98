"""Seal the existing rows (0004_seal_personal_text added the sealed columns).

Its own migration: on PostgreSQL a table whose rows were just updated cannot
be altered in the same transaction (pending trigger events), and a failure
here leaves both columns in place, nothing lost."""

from django.db import migrations

SEALED = [("alertdebrief", "how_it_went"), ("offer", "decline_reason")]


def seal_rows(apps, schema_editor):
    for model_name, name in SEALED:
        model = apps.get_model("messaging", model_name)
        for row in model.objects.all().iterator():
            setattr(row, name, getattr(row, f"{name}_plain"))
            row.save(update_fields=[name])


def open_rows(apps, schema_editor):
    for model_name, name in SEALED:
        model = apps.get_model("messaging", model_name)
        for row in model.objects.all().iterator():
            setattr(row, f"{name}_plain", getattr(row, name))
            row.save(update_fields=[f"{name}_plain"])


class Migration(migrations.Migration):
    dependencies = [("messaging", "0004_seal_personal_text")]

    operations = [migrations.RunPython(seal_rows, open_rows)]
