"""Durable delivery: the submission is the outbox. Every existing row gets its own reference
(added empty, filled, then made unique). A filed row stays filed; any other old row needs a
person: it was sent (or given up) before tickets carried a reference, so it can be neither looked
up nor safely sent again, and its person was told to send it again themselves."""

import secrets

from django.db import migrations, models

import tickets.models

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BEFORE = "sent or given up before tickets carried a reference: check the helpdesk, then mark it"


def _reference() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"TP-{code[:5]}-{code[5:]}"


def forwards(apps, schema_editor):
    Submission = apps.get_model("tickets", "Submission")
    for row in Submission.objects.all().only("pk", "state", "error_detail"):
        values = {"reference": _reference()}
        if row.state == "sent":
            values["state"] = "filed"
        else:
            values.update(state="attention", error_detail=f"{BEFORE} ({row.error_detail})")
        Submission.objects.filter(pk=row.pk).update(**values)


def backwards(apps, schema_editor):
    Submission = apps.get_model("tickets", "Submission")
    back = {"filed": "sent", "sending": "pending", "received": "pending"}
    for new, old in back.items():
        Submission.objects.filter(state=new).update(state=old)
    Submission.objects.exclude(state__in=["sent", "pending"]).update(state="failed")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_staff_account")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="reference",
            field=models.CharField(max_length=20, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="submission",
            name="attempt_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="submission",
            name="error_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("unavailable", "API unavailable"),
                    ("rejected", "Rejected by the API"),
                    ("outcome_unknown", "No answer from the API"),
                    ("expired", "Not filed in time"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="state",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("filed", "Filed"),
                    ("uncertain", "Uncertain"),
                    ("attention", "Needs attention"),
                    ("cancelled", "Cancelled"),
                ],
                default="received",
                max_length=16,
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="submission",
            name="reference",
            field=models.CharField(
                default=tickets.models.new_reference, max_length=20, unique=True
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                fields=["state", "next_attempt_at"], name="tickets_sub_state_8e420a_idx"
            ),
        ),
    ]
