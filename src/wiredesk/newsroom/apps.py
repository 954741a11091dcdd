from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "wiredesk.newsroom"
    label = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"
