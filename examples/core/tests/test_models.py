"""Models with a foreign key, and the everyday queries on them."""

import pytest
from django.db import IntegrityError

from blog.models import Author, Post

pytestmark = pytest.mark.django_db


def test_create_read_update_delete() -> None:
    ada = Author.objects.create(name="Ada")
    post = Post.objects.create(author=ada, title="Notes on the engine", body="...")
    assert Post.objects.get(pk=post.pk).author == ada
    assert list(ada.posts.values_list("title", flat=True)) == ["Notes on the engine"]
    Post.objects.filter(pk=post.pk).update(title="Notes")
    assert Post.objects.get(pk=post.pk).title == "Notes"
    post.delete()
    assert not Post.objects.exists()


def test_filter_across_the_foreign_key() -> None:
    ada, grace = Author.objects.create(name="Ada"), Author.objects.create(name="Grace")
    Post.objects.create(author=ada, title="Django and engines")
    Post.objects.create(author=grace, title="Django and compilers")
    titles = Post.objects.filter(author__name="Grace", title__icontains="django")
    assert [p.title for p in titles] == ["Django and compilers"]


def test_deleting_an_author_cascades_to_posts() -> None:
    ada = Author.objects.create(name="Ada")
    Post.objects.create(author=ada, title="One")
    ada.delete()
    assert Post.objects.count() == 0


def test_author_names_are_unique() -> None:
    Author.objects.create(name="Ada")
    with pytest.raises(IntegrityError):
        Author.objects.create(name="Ada")


def test_string_forms() -> None:
    ada = Author.objects.create(name="Ada")
    assert str(ada) == "Ada"
    assert str(Post(author=ada, title="T")) == "T"
