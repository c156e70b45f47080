"""URL routes of the bank's JSON API."""

from django.urls import path

from . import views

urlpatterns = [
    path("customer/", views.CustomerList.as_view(), name="customer-list"),
    path("customer/<uuid:pk>/", views.CustomerDetail.as_view(), name="customer-detail"),
    path("product/", views.ProductList.as_view(), name="product-list"),
    path("product/<uuid:pk>/", views.ProductDetail.as_view(), name="product-detail"),
    path("order/", views.OrderList.as_view(), name="order-list"),
    path("order/<uuid:pk>/", views.OrderDetail.as_view(), name="order-detail"),
]
