"""What the sandbox API stores: the tickets the portal filed, as the API received them."""

from django.db import models


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
