"""The migrations build exactly the schema the models describe, up and down."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade

from pb import create_app
from pb.extensions import db
from tests.conftest import make_config, schema_drift


def test_migrations_match_the_models(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path / "fresh.sqlite3"))
    with app.app_context():
        upgrade()
        assert schema_drift(app) == [], "a model changed without a migration: run `pb db migrate`"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
