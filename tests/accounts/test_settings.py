"""Sign-in settings read from the environment, failing loudly on what cannot work."""

import secrets

from tests.test_deploy_check import run_manage

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "objectives.example.nhs.uk",
}
ENTRA = "https://login.microsoftonline.com/0b1c2d3e-tenant/v2.0"


def last_error(**env) -> str:
    result = run_manage("check", **PRODUCTION, **env)
    assert result.returncode == 1
    return result.stderr.strip().splitlines()[-1]


def test_an_issuer_without_a_client_id_and_secret_refuses_to_start():
    assert last_error(OIDC_ISSUER=ENTRA, OIDC_CLIENT_ID="", OIDC_CLIENT_SECRET="") == (
        "django.core.exceptions.ImproperlyConfigured: OIDC_ISSUER is set: OIDC_CLIENT_ID and "
        "OIDC_CLIENT_SECRET must be too"
    )


def test_a_yes_or_no_setting_that_is_neither_refuses_to_start():
    assert last_error(LOCAL_LOGIN="sometimes") == (
        "django.core.exceptions.ImproperlyConfigured: LOCAL_LOGIN must be true or false, "
        "not 'sometimes'"
    )


def test_the_providers_origin_may_receive_the_sign_out_redirect():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings;"
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))",
        **PRODUCTION,
        OIDC_ISSUER=ENTRA,
        OIDC_CLIENT_ID="client",
        OIDC_CLIENT_SECRET="secret",
    )

    assert (result.stderr, result.stdout.strip()) == (
        "",
        "'self' https://login.microsoftonline.com",
    )
