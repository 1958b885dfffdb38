"""What the sandbox API stores: its users, the tickets filed as the API received them, the
conversation of each ticket (its posts and internal comments, with their files), the knowledge base
(its categories and articles, seeded from a file: knowledge_base.py) and its "helpdesk down"
switch."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

FIRST_NEW_USER_ID = 1001  # staff keep the small ids of the seed; everyone added later comes after


@dataclass(frozen=True)
class Group:
    """A user group of the helpdesk; its `type` says whether its members are staff."""

    id: int
    type: str
    name: str
    names: tuple[str, str]  # in Russian and Ukrainian; `name` is the English one

    def as_dict(self) -> dict[str, object]:
        """As the API writes a user's group: its name localised (`ua`, not `uk`)."""
        ru, ua = self.names
        return {"id": self.id, "type": self.type, "name": {"ru": ru, "en": self.name, "ua": ua}}


ADMINISTRATORS, SUPPORT_AGENTS, CLIENTS = 1, 2, 3
GROUPS = {
    ADMINISTRATORS: Group(
        ADMINISTRATORS, "staff", "Administrators", ("Администраторы", "Адміністратори")
    ),
    SUPPORT_AGENTS: Group(
        SUPPORT_AGENTS,
        "staff",
        "Support agents",
        ("Сотрудники поддержки", "Співробітники підтримки"),
    ),
    CLIENTS: Group(CLIENTS, "user", "Clients", ("Клиенты", "Клієнти")),
}
STAFF_GROUPS = tuple(g.id for g in GROUPS.values() if g.type == "staff")


def folded_name(name: str, lastname: str) -> str:
    """The case-folded "name lastname" that a search by name is compared with."""
    return " ".join(f"{name} {lastname}".split()).casefold()


class User(models.Model):
    """A helpdesk user: staff (owners, followers) or a client (the person a ticket is for).

    `name_key` and `email_key` hold the case-folded name and email, so that searching and
    matching ignore case for every alphabet (SQLite's own case folding knows only ASCII).
    """

    id = models.PositiveIntegerField(primary_key=True, editable=False)
    name = models.CharField(max_length=255)
    lastname = models.CharField(max_length=255, blank=True)
    email = models.EmailField(max_length=254, unique=True)
    phone = models.CharField(max_length=64, blank=True)
    group = models.PositiveSmallIntegerField(
        choices=[(g.id, g.name) for g in GROUPS.values()], default=CLIENTS
    )
    name_key = models.CharField(max_length=511, editable=False, db_index=True)
    email_key = models.CharField(max_length=254, editable=False, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "helpdesk user"

    def __str__(self) -> str:
        full = " ".join(part for part in (self.name, self.lastname) if part)
        return f"{full} <{self.email}>"

    def save(self, *args, **kwargs) -> None:
        self.name_key = folded_name(self.name, self.lastname)
        self.email_key = self.email.casefold()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "email_key"}
        if self.pk is None:
            top = type(self).objects.aggregate(top=Max("id"))["top"] or 0
            self.pk = max(top + 1, FIRST_NEW_USER_ID)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Emails are unique whatever their case (the admin's form checks only the exact one)."""
        clash = type(self).objects.filter(email_key=self.email.casefold()).exclude(pk=self.pk)
        if self.email and clash.exists():
            raise ValidationError({"email": "Another user has this email."})

    @property
    def group_info(self) -> Group:
        return GROUPS[self.group]


class Ticket(models.Model):
    """One ticket, its values kept as sent so a person can see what the portal filed."""

    unique_id = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    pid = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=1000)
    description = models.TextField()
    status_id = models.CharField(max_length=64, default="open")
    priority_id = models.PositiveIntegerField(default=0)
    type_id = models.PositiveIntegerField(default=0)
    department_id = models.PositiveIntegerField(default=0)
    owner_id = models.PositiveIntegerField(default=0)
    user_id = models.PositiveIntegerField(default=0)
    user_email = models.CharField(max_length=254, blank=True)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    followers = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    ticket_lock = models.BooleanField(default=False)
    create_from_user = models.BooleanField(default=True)
    sla_date = models.CharField(max_length=32, blank=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date_created", "-id"]

    def __str__(self) -> str:
        return f"{self.unique_id or '(new)'} {self.title}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if not self.unique_id:
            self.unique_id = f"SBX-{self.pk:04d}"
            type(self).objects.filter(pk=self.pk).update(unique_id=self.unique_id)


class TicketFile(models.Model):
    """A file attached on create (`files[N]` of a multipart request)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="sandbox/")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


# The helpdesk numbers posts in one sequence, so a ticket's first post (its description) has a
# smaller id than every reply to it. The sandbox keeps no row for the first post: it shows the
# ticket's description as a post whose id is the ticket's id. So that no reply can have that id,
# stored posts are numbered from FIRST_POST_ID on: ticket ids stay below it in any sandbox (a
# million tickets), and every reply still comes after its first post. Files of posts are
# numbered the same way above the files of tickets, so a file's id names one file in a
# conversation.
FIRST_POST_ID = 1_000_000
FIRST_POST_FILE_ID = 1_000_000


def _save_numbered(item: models.Model, floor: int, save, *args, **kwargs) -> None:
    """Insert `item` with the next id from `floor` on (the table's highest id plus one)."""
    for _attempt in range(5):
        top = type(item).objects.aggregate(top=Max("id"))["top"] or 0
        item.pk = max(top + 1, floor)
        try:
            with transaction.atomic():
                save(*args, **{**kwargs, "force_insert": True})
            return
        except IntegrityError:  # another request took that id a moment ago
            item.pk = None
    raise IntegrityError(f"No free id for a new {type(item).__name__}.")


class Post(models.Model):
    """A post of a ticket's conversation after the first: public (`visible` "all": the client's
    and agents' messages, `GET /tickets/{id}/posts/`) or an internal comment (`visible`
    "staff": `GET /tickets/{id}/comments/`, never shown to a client). `user_id` is a helpdesk
    user's id (the sandbox's `User`); `text` is HTML, as agents write it."""

    PUBLIC, STAFF = "all", "staff"

    id = models.PositiveBigIntegerField(primary_key=True, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="posts")
    user_id = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    visible = models.CharField(
        max_length=8,
        choices=[(PUBLIC, "Public post"), (STAFF, "Internal comment")],
        default=PUBLIC,
    )
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_created", "-id"]

    def __str__(self) -> str:
        kind = "comment" if self.visible == self.STAFF else "post"
        return f"{kind} {self.pk} of ticket {self.ticket_id}"

    def save(self, *args, **kwargs) -> None:
        """A new post takes the next id from FIRST_POST_ID on; an edited one moves its
        `date_updated`."""
        if self.pk is None:
            _save_numbered(self, FIRST_POST_ID, super().save, *args, **kwargs)
            return
        self.date_updated = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "date_updated"}
        super().save(*args, **kwargs)


class PostFile(models.Model):
    """A file of a post (`files[N]` of a multipart `POST /tickets/{id}/posts/`, or an agent's)."""

    id = models.PositiveBigIntegerField(primary_key=True, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="sandbox/")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            _save_numbered(self, FIRST_POST_FILE_ID, super().save, *args, **kwargs)
            return
        super().save(*args, **kwargs)


# The knowledge base. The API writes every name, title and body in three languages (`ua`, not the
# ISO code `uk`, for Ukrainian): one column each, so the admin edits them side by side.
KB_LANGUAGES = ("ru", "en", "ua")  # the order of the API's examples


class KbCategory(models.Model):
    """A category of the knowledge base (`GET /knowledge_base/categories/`)."""

    id = models.PositiveIntegerField(primary_key=True, editable=False)
    name_en = models.CharField("name (en)", max_length=255, blank=True)
    name_ru = models.CharField("name (ru)", max_length=255, blank=True)
    name_ua = models.CharField("name (ua)", max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "knowledge base category"
        verbose_name_plural = "knowledge base categories"

    def __str__(self) -> str:
        return self.name_en or self.name_ru or self.name_ua or f"category {self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:  # one added in the admin: the next id after the seed's
            _save_numbered(self, 1, super().save, *args, **kwargs)
            return
        super().save(*args, **kwargs)

    def names(self) -> dict[str, str]:
        return {lang: getattr(self, f"name_{lang}") for lang in KB_LANGUAGES}


class KbArticle(models.Model):
    """An article of the knowledge base (`GET /knowledge_base/articles/`). Its title and body
    (HTML) in each language; `public` off: unpublished (listed to the API's staff key, left out
    by `public=1`). Every save of an existing article moves `date_updated`, so that
    `from_date_updated` finds an article edited in the admin."""

    id = models.PositiveIntegerField(primary_key=True, editable=False)
    category = models.ForeignKey(KbCategory, on_delete=models.PROTECT, related_name="articles")
    public = models.BooleanField(default=True, help_text="Off: unpublished.")
    pin = models.BooleanField(default=False, help_text="Pinned to the top of its category.")
    views = models.PositiveIntegerField(default=0)
    title_en = models.CharField("title (en)", max_length=1000, blank=True)
    title_ru = models.CharField("title (ru)", max_length=1000, blank=True)
    title_ua = models.CharField("title (ua)", max_length=1000, blank=True)
    body_en = models.TextField("body (en)", blank=True, help_text="HTML.")
    body_ru = models.TextField("body (ru)", blank=True, help_text="HTML.")
    body_ua = models.TextField("body (ua)", blank=True, help_text="HTML.")
    date_created = models.DateTimeField(default=timezone.now)
    date_updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = "knowledge base article"

    def __str__(self) -> str:
        return self.title_en or self.title_ru or self.title_ua or f"article {self.pk}"

    def save(self, *args, **kwargs) -> None:
        """A new article without an id takes the next one; an edited one moves `date_updated`."""
        if self.pk is None:
            _save_numbered(self, 1, super().save, *args, **kwargs)
            return
        if not self._state.adding:
            self.date_updated = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "date_updated"}
        super().save(*args, **kwargs)

    def titles(self) -> dict[str, str]:
        return {lang: getattr(self, f"title_{lang}") for lang in KB_LANGUAGES}

    def bodies(self) -> dict[str, str]:
        return {lang: getattr(self, f"body_{lang}") for lang in KB_LANGUAGES}


class SandboxSwitch(models.Model):
    """The sandbox's "helpdesk down" switch: one row, shared by every process on the database.
    While `down` is on, every sandbox API endpoint answers 503 in the API's errors envelope (see
    `api.endpoint`), so a person can watch the portal queue tickets and its worker file them once
    the switch is off again. Set in the admin or with `manage.py sandbox_down on|off|status`."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    down = models.BooleanField(
        "Helpdesk down",
        default=False,
        help_text=(
            "On: every sandbox API request is answered 503 (service unavailable). The portal "
            "keeps the tickets it is sent, queued, and its worker files them once this is off."
        ),
    )

    class Meta:
        verbose_name = "helpdesk down switch"
        verbose_name_plural = "helpdesk down switch"

    def __str__(self) -> str:
        return "The helpdesk is down" if self.down else "The helpdesk is up"

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID  # there is only one switch
        super().save(*args, **kwargs)

    @classmethod
    def is_down(cls) -> bool:
        """One query: is the switch on?"""
        return cls.objects.filter(pk=cls.SINGLETON_ID, down=True).exists()

    @classmethod
    def get(cls) -> SandboxSwitch:
        """The one row, made (off) when missing."""
        return cls.objects.get_or_create(pk=cls.SINGLETON_ID)[0]

    @classmethod
    def set_down(cls, down: bool) -> None:
        cls.objects.update_or_create(pk=cls.SINGLETON_ID, defaults={"down": down})
