"""The site's URL map: the admin, the push endpoint, then the public site (pages, feeds, sitemaps,
API)."""

from django.contrib import admin
from django.urls import include, path

from wiredesk.newsroom import metrics
from wiredesk.newsroom.transports import push
from wiredesk.newsroom.write.desk import WriteDesk

admin.site.site_header = "Wiredesk administration"
admin.site.site_title = "Wiredesk"

# The web process's write desk, for its life: pushed payloads are processed with it.
receive_push = push.Receiver(WriteDesk())

urlpatterns = [
    path("admin/", admin.site.urls),
    # The trailing slash is optional: APPEND_SLASH cannot redirect a POST without losing its body.
    path("push/<slug:slug>/", receive_push, name="push"),
    path("push/<slug:slug>", receive_push),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("", include("wiredesk.site.urls")),
]
