"""Views by topic: my_work/status (team leads), browse (list, detail, edit), measures."""
