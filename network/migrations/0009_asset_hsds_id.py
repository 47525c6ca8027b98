# An HSDS service id on each directory entry, so an exported directory imported
# back updates its entries instead of adding copies (network/hsds.py). Added
# nullable, filled row by row (a callable default in AddField would give every
# existing row the same id), then made required and unique per network.

import uuid

from django.db import migrations, models


def give_each_asset_an_id(apps, schema_editor):
    Asset = apps.get_model("network", "Asset")
    for asset in Asset.objects.filter(hsds_id__isnull=True).only("pk"):
        Asset.objects.filter(pk=asset.pk).update(hsds_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0008_shift_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="hsds_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_each_asset_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="asset",
            name="hsds_id",
            field=models.UUIDField(
                default=uuid.uuid4,
                editable=False,
                help_text="the HSDS service id: kept through export and import (network/hsds.py)",
            ),
        ),
        migrations.AddConstraint(
            model_name="asset",
            constraint=models.UniqueConstraint(
                fields=("network", "hsds_id"), name="asset_hsds_id_unique_per_network"
            ),
        ),
    ]
