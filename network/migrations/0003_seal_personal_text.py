"""Personal text sealed at rest (issue 12 item 10, foundation/sealing.py).

Each field is renamed aside, its sealed twin is added, every existing row is
sealed under its owner's data key (crisisplans.crypto, through the pair that
crisisplans registers in its AppConfig.ready) and the plain column is dropped:
this migration adds the sealed columns, 0004 seals the rows, 0005 drops the
plain columns.
The reverse opens every row back into a plain column; a text whose data key
was already deleted comes back empty. A membership change with neither a
person nor an actor has nobody whose key could seal its reason: that reason
is dropped (it can only be a system note such as the size-cap warning).
"""

from django.db import migrations, models

import foundation.sealing

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


def sealed_text(purpose, owner, **kwargs):
    return foundation.sealing.SealedTextField(owner=owner, purpose=purpose, **kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0002_networks_rota_maps"),
        # The rows are sealed with crisisplans' data keys.
        ("crisisplans", "0001_initial"),
    ]

    operations = [
        *[migrations.RenameField(model, name, f"{name}_plain") for model, name in SEALED],
        # The plain label had no default; the reverse re-adds it to filled tables.
        migrations.AlterField("tie", "label_plain", models.CharField(max_length=120, default="")),
        migrations.AddField(
            "tie",
            "label",
            sealed_text("network.tie.label", ("owner_id",), max_length=120, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            "tie",
            "relationship",
            sealed_text(
                "network.tie.relationship",
                ("owner_id",),
                max_length=60,
                blank=True,
                help_text="friend, sister, GP...",
            ),
        ),
        migrations.AddField(
            "joinrequest",
            "note",
            sealed_text("network.joinrequest.note", ("person_id",), blank=True, max_length=2000),
        ),
        migrations.AddField(
            "joinrequest",
            "decision_reason",
            sealed_text("network.joinrequest.decision_reason", ("person_id",), blank=True, max_length=2000),
        ),
        migrations.AddField(
            "invitation",
            "note",
            sealed_text("network.invitation.note", ("invited_by_id",), blank=True, max_length=2000),
        ),
        migrations.AddField(
            "membershipchange",
            "reason",
            sealed_text(
                "network.membershipchange.reason", ("person_id", "actor_id"), blank=True, max_length=2000
            ),
        ),
        migrations.AddField(
            "idempotencyrecord",
            "response_body",
            foundation.sealing.SealedJSONField(
                null=True, owner=("person_id",), purpose="network.idempotency.response_body"
            ),
        ),
    ]
