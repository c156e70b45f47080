from django.contrib import admin

from .models import Customer, Order, Product

admin.site.register([Customer, Product, Order])
