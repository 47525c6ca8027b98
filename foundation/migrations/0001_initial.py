"""IdempotencyRecord moves here from network (issue 13) in Django's state only:
the table keeps its name and its rows; network 0006 forgets the model."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import foundation.sealing


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # The table as network's sealing migrations left it.
        ("network", "0005_drop_plain_personal_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        (
                            "scope",
                            models.CharField(help_text="method and path the key was used on", max_length=200),
                        ),
                        ("request_fingerprint", models.CharField(max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField(null=True)),
                        (
                            "response_body",
                            foundation.sealing.SealedJSONField(
                                null=True, owner=("person_id",), purpose="network.idempotency.response_body"
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "network_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("person", "key"), name="idempotency_key_once_per_person"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
