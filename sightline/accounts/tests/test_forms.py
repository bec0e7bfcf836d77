import pytest

from sightline.accounts.forms import SignInForm


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"email": ["Enter your email address"], "password": ["Enter your password"]}),
        ({"email": "  ", "password": "x"}, {"email": ["Enter your email address"]}),
        ({"email": "a@example.org", "password": ""}, {"password": ["Enter your password"]}),
    ],
)
def test_sign_in_form_gives_govuk_messages(data, errors):
    form = SignInForm(data)
    assert not form.is_valid()
    assert form.errors == errors


def test_sign_in_form_normalises_email():
    form = SignInForm({"email": "  Jo.Bloggs@Example.ORG ", "password": " secret "})
    assert form.is_valid()
    assert form.cleaned_data["email"] == "jo.bloggs@example.org"
    assert form.cleaned_data["password"] == " secret "  # passwords are never stripped
