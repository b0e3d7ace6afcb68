"""Register, confirm through the mail the SMTP server received, sign in, sign out."""
from tests.conftest import DEFAULT_PASSWORD, flush_outbox, form_post, login


def test_register_confirm_login_logout(app, client, mailbox):
    response = form_post(client, "/register", {
        "name": "Maria Pop", "email": "Maria.Pop@Example.org", "organisation": "UMF Iași",
        "locale": "ro", "password": DEFAULT_PASSWORD, "accept_privacy": "y"})
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True) or "e-mail" in response.get_data(as_text=True)

    flush_outbox(app)
    [message] = mailbox.to("maria.pop@example.org")
    link = next(url for url in mailbox.links(message) if "/confirm/" in url)
    assert link.startswith("http://salus.test/confirm/")

    assert login(client, "maria.pop@example.org").status_code == 422  # not confirmed yet
    assert client.get(link.replace("http://salus.test", "")).status_code == 302
    response = login(client, "MARIA.POP@example.org")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200

    response = form_post(client, "/logout", page="/account")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
