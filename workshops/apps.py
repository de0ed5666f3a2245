from django.apps import AppConfig


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = "Workshops"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from workshops.receivers import close_sockets_of_logged_out_user

        user_logged_out.connect(
            close_sockets_of_logged_out_user, dispatch_uid="workshops.close_sockets_on_logout"
        )
