from django.urls import reverse

from tests.factories import PASSWORD


def change(client, old: str):
    return client.post(
        reverse("accounts:password-change"),
        {
            "old_password": old,
            "new_password1": "another passphrase",
            "new_password2": "another passphrase",
        },
    )


def test_wrong_current_passwords_are_limited_to_ten_an_hour(owner, owner_client):
    statuses = [change(owner_client, "not-my-password").status_code for _ in range(10)]
    blocked = change(owner_client, PASSWORD)

    assert (statuses, blocked.status_code) == ([200] * 10, 429)
    assert 0 < int(blocked["Retry-After"]) <= 3600
    assert "Too many wrong current passwords." in blocked.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_other_form_errors_do_not_count_against_the_limit(owner, owner_client):
    for _ in range(12):
        owner_client.post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
        )

    response = change(owner_client, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))


def test_a_password_change_gives_this_browser_a_fresh_known_device_cookie(owner, owner_client):
    response = change(owner_client, PASSWORD)

    assert response.cookies["mainthing_device"]["httponly"] is True
