"""A small OpenID Connect provider for the tests, served over real HTTP on 127.0.0.1.

It speaks the parts of the protocol the app uses, as Microsoft Entra ID's v2.0 endpoint does:
discovery, a JSON Web Key Set, an authorisation endpoint with its own sign-in form, a token
endpoint that checks the client secret, the redirect URI, single use of each code and the PKCE
verifier (S256), and an end-session endpoint. ID tokens are RS256-signed with a key made for the
test run. Nothing in the app is mocked: mozilla-django-oidc calls these endpoints with requests.

Knobs for the refusal tests: `token_changes` (claims to add, change or, with None, drop in the
next ID token) and `signing_key` (sign with another key under the same key id).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "shared-objectives-test"
CLIENT_SECRET = "test-client-secret"
KEY_ID = "test-key-1"
PASSWORD = "provider-password"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# One key for the whole run: making RSA keys is slow.
PROVIDER_KEY = new_key()
OTHER_KEY = new_key()


@dataclass
class Person:
    username: str
    claims: dict


@dataclass
class Provider:
    people: dict[str, Person] = field(default_factory=dict)
    redirect_uris: set[str] = field(default_factory=set)
    token_changes: dict = field(default_factory=dict)
    signing_key: object = PROVIDER_KEY
    codes: dict[str, dict] = field(default_factory=dict)
    token_requests: list[dict] = field(default_factory=list)
    sign_outs: list[dict] = field(default_factory=list)
    issuer: str = ""

    def add_person(self, username: str, **claims) -> Person:
        person = Person(username, {"sub": f"sub-{username}", **claims})
        self.people[username] = person
        return person

    # --- What the endpoints answer --------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/keys",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "code_challenge_methods_supported": ["S256"],
        }

    def keys(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key(), as_dict=True)
        return {"keys": [jwk | {"kid": KEY_ID, "use": "sig"}]}

    def authorize_problem(self, params: dict) -> str | None:
        if params.get("client_id") != CLIENT_ID:
            return "unknown client"
        if params.get("redirect_uri") not in self.redirect_uris:
            return f"redirect URI not registered: {params.get('redirect_uri')}"
        if params.get("response_type") != "code" or "openid" not in params.get("scope", ""):
            return "only the code flow with the openid scope"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        return None

    def issue_code(self, params: dict, person: Person) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"params": params, "person": person, "used": False}
        return code

    def token(self, form: dict, authorization: str | None) -> tuple[int, dict]:
        self.token_requests.append(form)
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if client_id != CLIENT_ID or secret != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        grant = self.codes.get(form.get("code", ""))
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown code"}
        if grant["used"]:
            return 400, {"error": "invalid_grant", "error_description": "code already used"}
        grant["used"] = True
        params = grant["params"]
        if form.get("redirect_uri") != params["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if challenge != params["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE check failed"}
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 3600,
            "id_token": self.id_token(grant["person"], nonce=params.get("nonce")),
        }

    def id_token(self, person: Person, *, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "nonce": nonce,
            **person.claims,
        }
        for name, value in self.token_changes.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": KEY_ID})


LOGIN_FORM = """<!doctype html><html lang="en"><head><title>Organisation sign-in</title></head>
<body><h1>Organisation sign-in</h1>{error}
<form method="post" action="/authorize">{hidden}
<label for="username">Email</label> <input id="username" name="username">
<label for="password">Password</label> <input id="password" name="password" type="password">
<button type="submit">Sign in to the organisation</button></form></body></html>"""


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: str, content_type: str, headers=None):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _json(self, status: int, body: dict):
            self._send(status, json.dumps(body), "application/json")

        def _redirect(self, url: str):
            self._send(302, "", "text/plain", {"Location": url})

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            return {key: values[0] for key, values in parse_qs(raw).items()}

        def _login_page(self, params: dict, error: str = ""):
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items()
            )
            error_html = f'<p role="alert">{html.escape(error)}</p>' if error else ""
            page = LOGIN_FORM.format(hidden=hidden, error=error_html)
            self._send(200, page, "text/html; charset=utf-8")

        def do_GET(self):
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if url.path == "/keys":
                return self._json(200, provider.keys())
            if url.path == "/authorize":
                problem = provider.authorize_problem(query)
                if problem:
                    return self._send(400, problem, "text/plain")
                return self._login_page(query)
            if url.path == "/logout":
                provider.sign_outs.append(query)
                target = query.get("post_logout_redirect_uri")
                if target:
                    return self._redirect(target)
                return self._send(200, "Signed out", "text/plain")
            return self._send(404, "not found", "text/plain")

        def do_POST(self):
            url = urlparse(self.path)
            form = self._form()
            if url.path == "/token":
                status, body = provider.token(form, self.headers.get("Authorization"))
                return self._json(status, body)
            if url.path == "/authorize":
                username = form.pop("username", "")
                password = form.pop("password", "")
                problem = provider.authorize_problem(form)
                if problem:
                    return self._send(400, problem, "text/plain")
                person = provider.people.get(username)
                if person is None or password != PASSWORD:
                    return self._login_page(form, "Wrong email or password")
                code = provider.issue_code(form, person)
                query = urlencode({"code": code, "state": form.get("state", "")})
                return self._redirect(f"{form['redirect_uri']}?{query}")
            return self._send(404, "not found", "text/plain")

    return Handler


class RunningProvider:
    """A Provider served on 127.0.0.1 on a free port until `stop()`."""

    def __init__(self):
        self.provider = Provider()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.provider))
        self.provider.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
