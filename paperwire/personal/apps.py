from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "paperwire.personal"
    label = "personal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Hide what each member muted on every surface, and add "For you" to members' digests."""
        from paperwire.digests import sections
        from paperwire.papers import visibility

        from .digest import member_sections
        from .hiding import split
        from .library import saved_papers

        visibility.register(split)
        sections.register(member_sections)
        sections.register_followed(saved_papers)
