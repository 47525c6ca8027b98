"""Seal the existing rows (0003_seal_personal_text added the sealed columns).

Its own migration: on PostgreSQL a table whose rows were just updated cannot
be altered in the same transaction (pending trigger events), and a failure
here leaves both columns in place, nothing lost."""

from django.db import migrations

SEALED = [
    # (model, field)
    ("tie", "label"),
    ("tie", "relationship"),
    ("joinrequest", "note"),
    ("joinrequest", "decision_reason"),
    ("invitation", "note"),
    ("membershipchange", "reason"),
    ("idempotencyrecord", "response_body"),
]


def seal_rows(apps, schema_editor):
    for model_name, name in SEALED:
        model = apps.get_model("network", model_name)
        for row in model.objects.all().iterator():
            value = getattr(row, f"{name}_plain")
            field = model._meta.get_field(name)
            if value not in ("", None) and field.owner_of(row) is None:
                value = field.empty_value
            setattr(row, name, value)
            row.save(update_fields=[name])


def open_rows(apps, schema_editor):
    for model_name, name in SEALED:
        model = apps.get_model("network", model_name)
        for row in model.objects.all().iterator():
            setattr(row, f"{name}_plain", getattr(row, name))
            row.save(update_fields=[f"{name}_plain"])


class Migration(migrations.Migration):
    dependencies = [("network", "0003_seal_personal_text")]

    operations = [migrations.RunPython(seal_rows, open_rows)]
