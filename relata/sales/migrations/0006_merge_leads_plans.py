"""Leads and sales plans were written side by side; this joins the two branches."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sales", "0004_leads"), ("sales", "0005_sales_plans")]

    operations = []
