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
