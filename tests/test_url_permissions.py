"""The meta-test: every URL pattern must have a permission test somewhere under tests/."""

import importlib
import pkgutil

import tests
from tests.urlcoverage import all_url_names

# Django's admin checks is_staff itself on every admin URL; tests/objectives/test_permissions.py
# shows an ordinary signed-in user is refused.
ADMIN_PREFIX = "admin:"


def declared_coverage():
    covered = set()
    for module_info in pkgutil.walk_packages(tests.__path__, prefix="tests."):
        if not module_info.name.rsplit(".", 1)[-1].startswith("test_"):
            continue
        module = importlib.import_module(module_info.name)
        covered |= set(getattr(module, "PERMISSION_COVERED_URLS", ()))
    return covered


def test_every_url_pattern_has_a_permission_test():
    names = {name for name in all_url_names() if not name.startswith(ADMIN_PREFIX)}
    missing = sorted(names - declared_coverage())
    assert missing == [], f"URL patterns with no permission test: {missing}"


def test_declared_coverage_names_only_real_url_patterns():
    unknown = sorted(declared_coverage() - all_url_names())
    assert unknown == []
