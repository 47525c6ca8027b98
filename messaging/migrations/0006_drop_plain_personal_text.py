"""Drop the plain columns, now that 0005_seal_personal_text_rows sealed their rows."""

from django.db import migrations

SEALED = [("alertdebrief", "how_it_went"), ("offer", "decline_reason")]


class Migration(migrations.Migration):
    dependencies = [("messaging", "0005_seal_personal_text_rows")]

    operations = [migrations.RemoveField(model, f"{name}_plain") for model, name in SEALED]
