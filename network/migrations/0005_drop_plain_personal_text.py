"""Drop the plain columns, now that 0004_seal_personal_text_rows sealed their rows."""

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


class Migration(migrations.Migration):
    dependencies = [("network", "0004_seal_personal_text_rows")]

    operations = [migrations.RemoveField(model, f"{name}_plain") for model, name in SEALED]
