"""The site's URL map: the admin, the push endpoint, then the public site (pages, feeds, sitemaps,
API)."""

from django.contrib import admin
from django.urls import include, path

from wiredesk.newsroom.transports import push

admin.site.site_header = "Wiredesk administration"
admin.site.site_title = "Wiredesk"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The trailing slash is optional: APPEND_SLASH cannot redirect a POST without losing its body.
    path("push/<slug:slug>/", push.receive, name="push"),
    path("push/<slug:slug>", push.receive),
    path("", include("wiredesk.site.urls")),
]
