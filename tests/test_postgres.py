"""The same schema and rules on a real PostgreSQL, as production runs them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from pb import create_app
from pb.extensions import db
from tests.conftest import schema_drift
from tests.servers import postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from flask_migrate import upgrade

    with postgres() as url:
        app = create_app({"PB_ENV": "testing", "SECRET_KEY": "pg", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()


def test_migrations_build_the_models_on_postgresql(pg_app: Any) -> None:
    assert db.engine.dialect.name == "postgresql"
    assert schema_drift(pg_app) == []


def test_one_ballot_per_voter_is_enforced_by_postgresql(pg_app: Any) -> None:
    from pb.models import Ballot, Round

    round_ = Round(title="PG", area="A", budget_minor=100, currency="GBP",
                   ballot_method="approval", tally_rule="greedy")
    db.session.add(round_)
    db.session.commit()
    db.session.add(Ballot(round_id=round_.id, voter_key="user:1", items=[]))
    db.session.commit()
    db.session.add(Ballot(round_id=round_.id, voter_key="user:1", items=["x"]))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_imported_round_counts_on_postgresql(pg_app: Any) -> None:
    from pb.services import counting, pabulib_io
    from tests.shared_data import shared_data

    source = (shared_data() / "pabulib" / "Netherlands_Assen_2024.pb").read_text()
    round_ = pabulib_io.do_import(source, None)
    assert sorted(counting.do_count(round_).outcome["selected"], key=int) == \
        ["2", "3", "5", "6", "9", "11", "12", "13", "14"]


def test_the_web_app_serves_from_postgresql(pg_app: Any) -> None:
    client = pg_app.test_client()
    response = client.post("/account/register", data={
        "display_name": "Pat", "email": "pat@example.org", "password": "a long pg passphrase",
        "confirm": "a long pg passphrase"})
    assert response.status_code == 302
    assert client.get("/healthz").get_json() == {"status": "ok"}
