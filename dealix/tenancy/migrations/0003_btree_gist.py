"""btree_gist lets an exclusion constraint compare a plain column (the agent) beside a range (the
meeting's time): it is what makes double booking impossible in the database (crm.AutoBooking)."""
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0002_subscription")]
    operations = [BtreeGistExtension()]
