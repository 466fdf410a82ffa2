"""Import jobs keep the number of their report's problems beside the report, so that the list of recent
imports says how each ended without reading the reports; jobs done before are counted from their report."""

from django.db import migrations, models


def count_problems(apps, schema_editor):
    ImportJob = apps.get_model("interop", "ImportJob")
    for job in ImportJob.objects.filter(report__isnull=False).only("id", "report").iterator(chunk_size=50):
        count = len((job.report or {}).get("problems") or [])
        if count:
            ImportJob.objects.filter(pk=job.pk).update(problem_count=count)


class Migration(migrations.Migration):

    dependencies = [
        ('interop', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='problem_count',
            field=models.PositiveIntegerField(default=0, verbose_name='problems'),
        ),
        migrations.RunPython(count_problems, migrations.RunPython.noop),
    ]
