from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "wiredesk.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from wiredesk.newsroom.filemodes import on_connection

        connection_created.connect(on_connection, dispatch_uid="wiredesk-private-sqlite")
