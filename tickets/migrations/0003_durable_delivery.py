"""Durable delivery: the submission is the outbox. Old states map onto the new ones, and every
existing row gets its own reference (added empty, filled, then made unique)."""

import secrets

from django.db import migrations, models

import tickets.models

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# (old state, old error kind) -> new state; an old "pending" row may have been sent: uncertain.
STATES = {
    ("pending", None): "uncertain",
    ("sent", None): "filed",
    ("failed", "unavailable"): "queued",
    ("failed", "outcome_unknown"): "uncertain",
    ("failed", "rejected"): "attention",
}


def _reference() -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"TP-{code[:5]}-{code[5:]}"


def forwards(apps, schema_editor):
    Submission = apps.get_model("tickets", "Submission")
    for row in Submission.objects.all().only("pk", "state", "error_kind", "updated_at"):
        kind = row.error_kind if row.state == "failed" else None
        state = STATES.get((row.state, kind), "attention" if row.state == "failed" else row.state)
        due = row.updated_at if state in ("queued", "uncertain") else None
        Submission.objects.filter(pk=row.pk).update(
            state=state, reference=_reference(), next_attempt_at=due
        )


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
