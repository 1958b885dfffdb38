"""Submissions recorded before durable delivery: a filed one stays filed; every other one needs a
person (its ticket carries no reference to look it up by, and its person was told to send it
again), so the upgrade never sends an old ticket a second time."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE, AFTER = [("tickets", "0002_staff_account")], [("tickets", "0003_durable_delivery")]


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_old_submissions_are_never_sent_again_by_the_upgrade():
    leaves = latest()
    old = migrate(BEFORE).get_model("tickets", "Submission")
    rows = {
        "sent": ("sent", ""),
        "pending": ("pending", ""),
        "unavailable": ("failed", "unavailable"),
        "unknown": ("failed", "outcome_unknown"),
        "rejected": ("failed", "rejected"),
    }
    for token, (state, kind) in rows.items():
        old.objects.create(
            token=token, public_key=token, form_slug="support", audience="customer",
            state=state, error_kind=kind, error_detail="as it was",
        )  # fmt: skip
    new = migrate(AFTER).get_model("tickets", "Submission")
    states = dict(new.objects.values_list("token", "state"))
    assert states == {
        "sent": "filed", "pending": "attention", "unavailable": "attention",
        "unknown": "attention", "rejected": "attention",
    }  # fmt: skip
    references = list(new.objects.values_list("reference", flat=True))
    assert len(set(references)) == 5 and all(r.startswith("TP-") for r in references)
    assert new.objects.get(token="unknown").error_detail.endswith("(as it was)")
    assert all(n is None for n in new.objects.values_list("next_attempt_at", flat=True))

    back = migrate(BEFORE).get_model("tickets", "Submission")  # and back again
    assert dict(back.objects.values_list("token", "state"))["sent"] == "sent"
    migrate(leaves)  # the later tests' database, as it was
