"""Stand-in OP URLs: entity configuration at the root of OP_URL (entity
app), the provider endpoints under /oidc/op/ (provider app)."""
from django.contrib import admin
from django.urls import path

from spid_cie_oidc.entity.urls import urlpatterns as entity_urls
from spid_cie_oidc.provider.urls import urlpatterns as provider_urls

urlpatterns = [path("admin/", admin.site.urls)] + entity_urls + provider_urls
