"""Photos on a handful of demo proposals: illustrations `pb.demo.drawing` makes, added through
the pictures service as an officer would add them, with alt text in English and Welsh and a
credit in the proposal's text.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.demo import drawing
from pb.extensions import db
from pb.models import Proposal, ProposalPicture, Round, User
from pb.services import picture_jobs, pictures

CREDIT = "Illustration generated for the pb demo"
CREDIT_CY = "Darlun a grëwyd ar gyfer demo pb"
# Round title: {proposal title: [(scene, alt text in English, in Welsh)]}
PICTURES: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    "Green Northfield 2027": {
        "Pocket park on Mill Lane": [
            ("park", "Drawing of a small park on a corner plot, with a path, benches, trees "
             "and wildflowers behind a low fence",
             "Darlun o barc bach ar lain gornel, gyda llwybr, meinciau, coed a blodau gwyllt y "
             "tu ôl i ffens isel")]},
    "Old Town Community Fund": {
        "Safer crossing at Bridge Street": [
            ("crossing", "Drawing of a zebra crossing with flashing beacons outside a red "
             "brick primary school",
             "Darlun o groesfan sebra gyda goleuadau sy'n fflachio y tu allan i ysgol gynradd "
             "o frics coch"),
            ("crossing at dusk", "Drawing of the same crossing at dusk, lit by tall street "
             "lights",
             "Darlun o'r un groesfan gyda'r hwyr, wedi'i goleuo gan oleuadau stryd tal")],
        "Market square seating": [
            ("square", "Drawing of benches and flower planters on the paving of a market "
             "square, in front of colourful shops",
             "Darlun o feinciau a phlanwyr blodau ar balmant sgwâr marchnad, o flaen siopau "
             "lliwgar")],
        "Skate park refurbishment": [
            ("skate", "Drawing of a skate bowl with curved ramps, a rail and painted walls",
             "Darlun o bowlen sglefrio gyda rampiau crwm, rheilen a waliau wedi'u peintio")]},
    "Youth Decide 2026": {
        "Free holiday football": [
            ("football", "Drawing of a football pitch in a park, with two goals and a ball",
             "Darlun o gae pêl-droed mewn parc, gyda dwy gôl a phêl")],
        "Bike repair workshops": [
            ("bikes", "Drawing of two bicycles on stands in a workshop, with tools on the wall",
             "Darlun o ddau feic ar standiau mewn gweithdy, gydag offer ar y wal")]},
    "Harbourside Improvements 2025": {
        "Harbour wall murals": [
            ("murals", "Drawing of bright murals on a harbour wall, with two sailing boats on "
             "the water",
             "Darlun o furluniau llachar ar wal harbwr, gyda dau gwch hwylio ar y dŵr")]},
}


def seed_pictures(officer: User) -> str:
    """Give the demo proposals their pictures, once: a proposal that has ever had a picture
    is left as it is."""
    added = 0
    for round_title, by_proposal in PICTURES.items():
        round_ = db.session.scalar(sa.select(Round).where(Round.title == round_title))
        if round_ is None:
            continue
        for proposal in db.session.scalars(sa.select(Proposal).where(
                Proposal.round_id == round_.id, Proposal.title.in_(by_proposal))).all():
            if db.session.scalar(sa.select(ProposalPicture.id).where(
                    ProposalPicture.proposal_id == proposal.id).limit(1)) is not None:
                continue
            for scene, alt, alt_cy in by_proposal[proposal.title]:
                _add(officer, proposal, scene, alt, alt_cy)
                added += 1
            _credit(proposal)
    return f"Added {added} demo pictures" if added else "Kept the demo pictures"


def _add(officer: User, proposal: Proposal, scene: str, alt: str, alt_cy: str) -> None:
    """Add one illustration through the pictures service and prepare it here and now, so
    the seeded town's pictures are ready when `pb demo` ends."""
    picture = pictures.do_add(officer, proposal, drawing.scene(scene),
                              {"en": {"alt": alt}, "cy": {"alt": alt_cy}})
    picture_jobs.prepare(picture.id)


def _credit(proposal: Proposal) -> None:
    """Say under the proposal's text, in each language it has, where its pictures come from."""
    if CREDIT not in proposal.body:
        proposal.body = f"{proposal.body}\n\n*{CREDIT}.*".lstrip()
    welsh = (proposal.translations or {}).get("cy")
    if welsh and CREDIT_CY not in welsh.get("body", ""):
        body = f"{welsh.get('body', '')}\n\n*{CREDIT_CY}.*".lstrip()
        proposal.translations = {**proposal.translations, "cy": {**welsh, "body": body}}
    db.session.commit()
