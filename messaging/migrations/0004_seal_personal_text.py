"""Debriefs and decline reasons sealed at rest (issue 12 item 10,
foundation/sealing.py): the same steps as network 0003 to 0005, this one adds
the sealed columns, 0005 seals the rows, 0006 drops the plain columns.
The reverse opens every row back into plain text; a text whose data key was
already deleted comes back empty."""

from django.db import migrations

import foundation.sealing

SEALED = [("alertdebrief", "how_it_went"), ("offer", "decline_reason")]


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0003_conversations"),
        ("network", "0003_seal_personal_text"),
    ]

    operations = [
        *[migrations.RenameField(model, name, f"{name}_plain") for model, name in SEALED],
        migrations.AddField(
            "alertdebrief",
            "how_it_went",
            foundation.sealing.SealedTextField(
                owner=("alert.member_id", "author_id"),
                purpose="messaging.alertdebrief.how_it_went",
                max_length=2000,
                blank=True,
            ),
        ),
        migrations.AddField(
            "offer",
            "decline_reason",
            foundation.sealing.SealedTextField(
                owner=("person_id",), purpose="messaging.offer.decline_reason", max_length=280, blank=True
            ),
        ),
    ]
