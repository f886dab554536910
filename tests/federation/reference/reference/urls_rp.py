"""Relying party URLs, at the root of RP_URL:

  /.well-known/openid-federation   its entity configuration (entity app)
  /oidc/rp/landing                 page with the "sign in with SPID" menu
  /oidc/rp/authorization?provider=OP_URL&profile=spid
                                   starts the sign-in (302 to the OP)
  /oidc/rp/callback                redirect_uri
  /oidc/rp/echo_attributes         the signed-in user's claims
  /oidc/rp/extend_session, /oidc/rp/introspection, /oidc/rp/logout
  /admin/                          Django admin
"""
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from spid_cie_oidc.entity.urls import urlpatterns as entity_urls
from spid_cie_oidc.relying_party.urls import urlpatterns as rp_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/oidc/rp/landing")),
]
urlpatterns += entity_urls + rp_urls
