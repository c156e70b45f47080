"""What the signup views accept, checked on the forms alone: no database, no DBOS."""

import pytest
from django.test import RequestFactory

from onboarding.forms import InvalidRequest, SignupForm, idempotency_key

EMAIL = "ada@example.com"


def refusal(body: bytes, content_type: str = "application/json") -> tuple[int, dict]:
    request = RequestFactory().post("/signups/", body, content_type=content_type)
    with pytest.raises(InvalidRequest) as refused:
        SignupForm.parse(request)
    return refused.value.response.status_code, refused.value.args[0]


@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        (b"{not json", "body", "Malformed JSON: Expecting property name enclosed in double quotes"),
        (b"\xff\xfe", "body", "Malformed JSON"),
        (b"9" * 5000, "body", "Malformed JSON: Exceeds the limit (4300 digits)"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "JSON nested too deeply."),
        (b"[]", "body", "Send a JSON object."),
        (b"{}", "email", "This field is required."),
        (b'{"email": null}', "email", "This field is required."),
        (b'{"email": "not-an-address"}', "email", "Enter a valid email address."),
        (b'{"email": 42}', "email", "Enter a valid email address."),
        (b'{"email": true}', "email", "Enter a valid email address."),
        (b'{"email": ["a@example.com"]}', "email", "Enter a valid email address."),
        (rb'{"email": "a\u0000@example.com"}', "email", "Null characters are not allowed."),
        (rb'{"email": "a@\ud800.example.com"}', "email", "Enter text without lone surrogates."),
        (
            b'{"email": "%s@example.com"}' % (b"a" * 288),
            "email",
            "Ensure this value has at most 254 characters (it has 300).",
        ),
        (b'{"email": "a@example.com", "follow_up_after": -1}', "follow_up_after", "greater"),
        (b'{"email": "a@example.com", "follow_up_after": 1e9}', "follow_up_after", "less"),
        (b'{"email": "a@example.com", "follow_up_after": 2147483648}', "follow_up_after", "less"),
        (b'{"email": "a@example.com", "follow_up_after": 1e400}', "follow_up_after", "number"),
        (b'{"email": "a@example.com", "follow_up_after": NaN}', "follow_up_after", "number"),
        (b'{"email": "a@example.com", "follow_up_after": "5"}', "follow_up_after", "number"),
        (b'{"email": "a@example.com", "follow_up_after": true}', "follow_up_after", "number"),
        (b'{"email": "a@example.com", "follow_up_after": {}}', "follow_up_after", "number"),
    ],
)
def test_bad_body_is_400_naming_the_field(body: bytes, field: str, error: str) -> None:
    status, errors = refusal(body)

    assert status == 400
    assert list(errors) == [field]
    assert error in " ".join(errors[field])


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_body_that_is_not_sent_as_json_is_415(content_type: str) -> None:
    status, errors = refusal(b'{"email": "ada@example.com"}', content_type)

    assert status == 415
    assert errors == {"Content-Type": ["Send application/json."]}


def test_body_over_the_upload_limit_is_413(settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    status, errors = refusal(b'{"email": "ada@example.com", "padding": "%s"}' % (b"a" * 100))

    assert status == 413
    assert errors == {"body": ["Send at most 100 bytes."]}


@pytest.mark.parametrize(
    ("body", "cleaned"),
    [
        (b'{"email": "ada@example.com"}', {"email": EMAIL, "follow_up_after": 0.0}),
        (
            b'{"email": " ada@example.com ", "follow_up_after": null}',
            {"email": EMAIL, "follow_up_after": 0.0},
        ),
        (
            b'{"email": "ada@example.com", "follow_up_after": 86400}',
            {"email": EMAIL, "follow_up_after": 86400.0},
        ),
        (
            b'{"email": "%s@example.com"}' % (b"a" * 242),
            {"email": "a" * 242 + "@example.com", "follow_up_after": 0.0},
        ),
    ],
)
def test_good_body_is_cleaned(body: bytes, cleaned: dict) -> None:
    request = RequestFactory().post(
        "/signups/", body, content_type="application/json; charset=utf-8"
    )

    assert SignupForm.parse(request) == cleaned


@pytest.mark.parametrize(
    ("key", "error"),
    [
        (None, "This field is required."),
        ("   ", "This field is required."),
        (
            "signup/1",
            "Use 1 to 100 letters, digits, hyphens or underscores: "
            "the key is the workflow's id in its status URL.",
        ),
        ("signup 1", "Use 1 to 100 letters"),
        ("signup\x00", "Use 1 to 100 letters"),
        ("k" * 5000, "Ensure this value has at most 100 characters (it has 5000)."),
    ],
)
def test_idempotency_key_must_fit_the_status_url(key: str | None, error: str) -> None:
    headers = {} if key is None else {"Idempotency-Key": key}
    request = RequestFactory().post("/signups/background/", headers=headers)

    with pytest.raises(InvalidRequest) as refused:
        idempotency_key(request)

    assert refused.value.response.status_code == 400
    assert error in " ".join(refused.value.args[0]["Idempotency-Key"])


@pytest.mark.parametrize("key", ["signup-42", " signup-42 ", "S_1-" + "k" * 96])
def test_good_idempotency_key(key: str) -> None:
    request = RequestFactory().post("/signups/background/", headers={"Idempotency-Key": key})

    assert idempotency_key(request) == key.strip()
