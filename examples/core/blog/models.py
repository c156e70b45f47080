"""Authors, their posts, and accounts to move money between."""

from django.db import models
from django.db.models import Q


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


# [/docs:models]


# [docs:account]
# A business rule the database enforces, so no code path can break it.
MAX_BALANCE = 1_000_000


class Account(models.Model):
    owner = models.CharField(max_length=100)
    balance = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) & Q(balance__lte=MAX_BALANCE),
                name="balance_within_limits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner}: {self.balance}"


# [/docs:account]
