from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from mainthing.core.emails import send_templated

from .models import User


@task()
def send_password_reset(user_id: int) -> bool:
    """Builds the one-time link in the worker, so the secret never sits in the queue."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token})
    send_templated("password_reset", user.email, {"user": user, "path": path})
    return True


@task()
def send_signup_mail(email: str, name: str, time_zone: str) -> str:
    """Mails a link to finish signing up, or, when the address has an account, tells its owner
    that someone tried (the web page said the same to both). Returns which it sent."""
    from .services import SIGNUP_LINK_DAYS, signup_token

    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        context = {
            "user": user,
            "login_path": reverse("accounts:login"),
            "reset_path": reverse("accounts:password-reset"),
        }
        send_templated("signup_existing", user.email, context)
        return "existing"
    token = signup_token(email=email, name=name, time_zone=time_zone)
    path = reverse("accounts:signup-finish", kwargs={"token": token})
    send_templated("signup_link", email, {"name": name, "path": path, "days": SIGNUP_LINK_DAYS})
    return "link"
