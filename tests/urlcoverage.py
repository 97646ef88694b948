"""Every URL pattern of the project, by name, for the permission meta-test.

A test module declares the URL names its tests cover with a module-level
`PERMISSION_COVERED_URLS = {"objectives:detail", ...}`; tests/test_url_permissions.py fails when a
pattern is declared by no module.
"""

from django.urls import URLPattern, URLResolver, get_resolver


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed>")
    return names
