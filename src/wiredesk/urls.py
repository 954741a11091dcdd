"""The site's URL map: the admin, then the public site (pages, feeds, sitemaps, API)."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Wiredesk administration"
admin.site.site_title = "Wiredesk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("wiredesk.site.urls")),
]
