"""Seed the demo council's next recruitment by lot: a few hundred volunteers, closed, the fair
selection published, ready for two officers to enter the seed and draw (idempotent)."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import sqlalchemy as sa

from pb.demo.data import COUNCIL, RECRUITMENT
from pb.domain.sortition.quotas import parse_quotas
from pb.extensions import db
from pb.models import Council, Recruitment, User
from pb.models.base import utcnow
from pb.services.council import recruitment as recruiting
from pb.services.council import selection

FIRST = ("Aled", "Bethan", "Cai", "Dilys", "Efa", "Gareth", "Hywel", "Iola", "Jac", "Lowri",
         "Meic", "Nia", "Osian", "Rhian", "Sion", "Tegan", "Wyn", "Yasmin", "Zainab", "Priya")
LAST = ("Jones", "Evans", "Khan", "Price", "Morgan", "Okafor", "Hughes", "Chen", "Lewis",
        "Nowak", "Rees", "Ahmed", "Thomas", "Roberts", "Davies")


def volunteers_csv(count: int, seed: int = 2027) -> str:
    """Return `count` made-up replies to invitation letters, as staff would import them.

    Volunteering is skewed as it is in life (older owners reply more), which is what the
    quotas and the fair selection are for.
    """
    rnd = random.Random(seed)
    quotas = parse_quotas(RECRUITMENT["quotas"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "email", *(f.name for f in quotas.features)])
    for i in range(count):
        answers = []
        for feature in quotas.features:
            weights = [(c.population or 0.1) * (1.7 if c.name in ("65+", "45-64", "Owner")
                                                 else 1.0) for c in feature.categories]
            answers.append(rnd.choices([c.name for c in feature.categories], weights)[0])
        name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        writer.writerow([name, f"volunteer{i + 1}@demo.example.org", *answers])
    return out.getvalue()


def seed_recruitment(officer: User) -> str:
    """Create the recruitment unless it exists; return a line saying what happened."""
    council = db.session.scalar(sa.select(Council).where(Council.name == COUNCIL["name"]))
    if council is None:
        return "No council to recruit for"
    found = db.session.scalar(sa.select(Recruitment).where(Recruitment.council_id == council.id))
    if found is not None:
        return f"Kept recruitment {found.id}: {found.title}"
    today = utcnow().date()
    recruitment = recruiting.do_open(officer, council, recruiting.RecruitmentData(
        title=RECRUITMENT["title"], seats=RECRUITMENT["seats"],
        closes_at=utcnow() + timedelta(minutes=5),
        term_start=today + timedelta(days=30), term_end=today + timedelta(days=395),
        seed_source=RECRUITMENT["seed_source"], quotas=RECRUITMENT["quotas"]))
    recruiting.do_import(officer, recruitment, volunteers_csv(RECRUITMENT["volunteers"]))
    recruiting.do_close_now(officer, recruitment)
    selection.do_publish(officer, recruitment)
    return (f"Created recruitment {recruitment.id}: {recruitment.title} "
            f"({RECRUITMENT['volunteers']} volunteers, selection published, ready to draw)")
