from django.apps import AppConfig
from django.db.models.signals import post_migrate


def restore_seed_users(sender: AppConfig, using: str = "default", apps=None, **kwargs) -> None:
    """After `migrate` or `flush`: put back any seed user that is missing."""
    from . import seed

    try:
        user_model = (apps or sender.apps).get_model("sandbox", "User")
    except LookupError:  # migrated back before the users table
        return
    seed.add_missing(user_model, using)


def seed_knowledge_base(sender: AppConfig, using: str = "default", apps=None, **kwargs) -> None:
    """After `migrate` or `flush`: fill an empty knowledge base from its seed file, when there
    is one (knowledge_base.py). A knowledge base with content is left as the admin left it."""
    from . import knowledge_base

    try:
        category_model = (apps or sender.apps).get_model("sandbox", "KbCategory")
        article_model = (apps or sender.apps).get_model("sandbox", "KbArticle")
    except LookupError:  # migrated back before the knowledge base's tables
        return
    knowledge_base.seed_if_empty(category_model, article_model, using)


class SandboxConfig(AppConfig):
    name = "sandbox"
    verbose_name = "Sandbox tickets API"

    def ready(self) -> None:
        post_migrate.connect(restore_seed_users, sender=self)
        post_migrate.connect(seed_knowledge_base, sender=self)
