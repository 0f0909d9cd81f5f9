from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mainthing.core"
    label = "core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from mainthing.core.files import lock_sqlite_files

        connection_created.connect(lock_sqlite_files, dispatch_uid="mainthing-private-sqlite")
