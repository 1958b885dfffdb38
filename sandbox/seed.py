"""The users every sandbox starts with: three staff and five clients.

`add_missing()` takes the model class, so the data migration can pass its historical model; it is
also run after every `migrate` and `flush` (see apps.py), so a test database emptied between
tests gets its users back.
"""

from __future__ import annotations

from typing import Any

from .models import ADMINISTRATORS, CLIENTS, SUPPORT_AGENTS, folded_name

# (id, name, lastname, email, phone, group)
SEED_USERS: tuple[tuple[int, str, str, str, str, int], ...] = (
    (1, "Administrator", "", "admin@sandbox.invalid", "", ADMINISTRATORS),
    (2, "Olena", "Koval", "olena.koval@sandbox.invalid", "+380 44 000 0002", SUPPORT_AGENTS),
    (3, "Ivan", "Petrenko", "ivan.petrenko@sandbox.invalid", "+380 44 000 0003", SUPPORT_AGENTS),
    (1001, "Ada", "Lovelace", "ada@example.com", "+44 20 7946 0018", CLIENTS),
    (1002, "Grace", "Hopper", "grace@example.com", "+1 202 555 0147", CLIENTS),
    (1003, "Alan", "Turing", "alan@example.com", "+44 161 496 0912", CLIENTS),
    (1004, "Мария", "Иванова", "maria@example.com", "", CLIENTS),
    (1005, "Тарас", "Шевченко", "taras@example.com", "", CLIENTS),
)


def add_missing(user_model: Any, using: str = "default") -> int:
    """Create the seed users whose id and email are both free; the number created."""
    manager = user_model._default_manager.db_manager(using)
    created = 0
    for user_id, name, lastname, email, phone, group in SEED_USERS:
        taken = manager.filter(id=user_id).exists() or manager.filter(email_key=email).exists()
        if taken:
            continue
        manager.create(
            id=user_id,
            name=name,
            lastname=lastname,
            email=email,
            phone=phone,
            group=group,
            name_key=folded_name(name, lastname),
            email_key=email.casefold(),
        )
        created += 1
    return created
