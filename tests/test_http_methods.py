"""Every URL answers only the HTTP methods it is meant to: a page that only shows things refuses a
POST with 405 and an Allow header, rather than answering it as if it were a GET.

The methods are checked before any object is looked up, so the ids here need not exist: an
allowed method may get 404, a refused one must get 405.
"""

import pytest
from django.urls import reverse

from tests.urlcoverage import all_url_names

pytestmark = pytest.mark.django_db

READ = {"GET", "HEAD"}
FORM = {"GET", "HEAD", "POST"}
CHANGE = {"POST"}
MISSING = 999_999

# URL name -> (arguments, the methods it answers)
METHODS = {
    "objectives:my_work": ((), READ),
    "objectives:update_status": ((MISSING, MISSING), {"GET", "POST"}),
    "objectives:list": ((), READ),
    "objectives:detail": ((MISSING,), READ),
    "objectives:export": ((), READ),
    "objectives:edit": ((MISSING,), FORM),
    "objectives:milestone_done": ((MISSING,), CHANGE),
    "objectives:ask_create": ((MISSING,), {"GET", "POST"}),
    "objectives:ask_answer": ((MISSING,), CHANGE),
    "objectives:ask_withdraw": ((MISSING,), CHANGE),
    "objectives:measure": ((MISSING,), READ),
    "objectives:add_readings": ((MISSING,), FORM),
    "objectives:measure_rebase": ((MISSING,), CHANGE),
    "risks:dashboard": ((), READ),
    "risks:export": ((), READ),
    "risks:my_work_flags": ((), READ),
    "risks:acknowledge": ((MISSING,), CHANGE),
    "risks:objective_flags": ((MISSING,), READ),
    "imports:start": ((), {"GET", "POST"}),
    "imports:template": ((), {"GET"}),
    "imports:preview": (("no-such-upload",), {"GET"}),
    "imports:confirm": (("no-such-upload",), CHANGE),
    "imports:export": ((MISSING,), {"GET"}),
    "imports:next_year": ((), {"GET", "POST"}),
    "reviews:list": ((), READ),
    "reviews:create": ((), FORM),
    "reviews:detail": ((MISSING,), READ),
    "reviews:edit": ((MISSING,), FORM),
    "reviews:focus_add": ((MISSING,), CHANGE),
    "reviews:focus_remove": ((MISSING, MISSING), CHANGE),
    "reviews:focus_move": ((MISSING, MISSING), CHANGE),
    "reviews:session_add": ((MISSING,), CHANGE),
    "reviews:session_delete": ((MISSING, MISSING), CHANGE),
    "reviews:action_add": ((MISSING,), CHANGE),
    "reviews:action_update": ((MISSING, MISSING), CHANGE),
    "reviews:decision_add": ((MISSING,), CHANGE),
    "reviews:pack_pdf": ((MISSING,), READ),
    "reviews:pack_html": ((MISSING,), READ),
    "reviews:pack_build": ((MISSING,), FORM),
    "reviews:pack_build_status": ((MISSING, MISSING), READ),
    "reviews:my_actions": ((), READ),
    "reviews:action_mark": ((MISSING,), CHANGE),
    "reviews:objective_record": ((MISSING,), READ),
    # Django's own class-based views answer OPTIONS too; its form views take PUT as POST.
    "login": ((), {"GET", "HEAD", "POST", "PUT", "OPTIONS"}),
    "logout": ((), {"POST", "OPTIONS"}),
    "healthz": ((), {"GET"}),
    "accounts:oidc_start": ((), {"GET"}),
    "accounts:oidc_callback": ((), {"GET"}),
    "accounts:password_change": ((), {"GET", "HEAD", "POST", "PUT", "OPTIONS"}),
    "accounts:password_change_done": ((), {"GET", "HEAD", "OPTIONS"}),
    "accounts:password_reset": ((), {"GET", "HEAD", "POST", "PUT", "OPTIONS"}),
    "accounts:password_reset_done": ((), {"GET", "HEAD", "OPTIONS"}),
    "accounts:password_reset_confirm": (
        ("MQ", "set-password"),
        {"GET", "HEAD", "POST", "PUT", "OPTIONS"},
    ),
    "accounts:password_reset_complete": ((), {"GET", "HEAD", "OPTIONS"}),
}
# POST last: it signs the user out of logout.
ALL_METHODS = ("GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "POST")


def test_every_url_pattern_says_which_methods_it_answers():
    names = {name for name in all_url_names() if not name.startswith("admin:")}
    assert sorted(names ^ METHODS.keys()) == []


@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_url_refuses_the_methods_it_does_not_answer(name, cast, client):
    arguments, allowed = METHODS[name]
    url = reverse(name, args=arguments)
    if name != "login":  # which sends a signed-in user straight on, whatever the method
        client.force_login(cast.admin)
    refused, answered = {}, {}
    for method in ALL_METHODS:
        response = client.generic(method, url)
        if method in allowed:
            answered[method] = response.status_code
        else:
            refused[method] = (
                response.status_code,
                {part.strip() for part in response.get("Allow", "").split(",")},
            )

    assert refused == {method: (405, allowed) for method in ALL_METHODS if method not in allowed}
    assert [method for method, status in answered.items() if status == 405] == []
