"""Trust anchor URLs, all at the root of TA_URL:

  /.well-known/openid-federation   its entity configuration (entity app)
  /resolve                         resolve endpoint (entity app)
  /fetch, /list, /trust_mark_status, /advanced_entity_listing,
  /trust_marked_list               federation API (authority app)
  /onboarding/...                  onboarding tools (onboarding app)
  /admin/                          Django admin (user admin, password admin)
"""
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from spid_cie_oidc.authority.urls import urlpatterns as authority_urls
from spid_cie_oidc.entity.urls import urlpatterns as entity_urls
from spid_cie_oidc.onboarding.urls import urlpatterns as onboarding_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/onboarding/landing")),
]
urlpatterns += entity_urls + authority_urls + onboarding_urls
