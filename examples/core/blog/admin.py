from django.contrib import admin

from .models import Account, Author, Post

admin.site.register([Author, Post, Account])
