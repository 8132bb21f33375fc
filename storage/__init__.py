"""Schema, migrations and repositories: the only place with SQL."""
