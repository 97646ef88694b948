"""Forms by topic: status.py (a team's status update); other modules add theirs beside it."""
