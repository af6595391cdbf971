"""Where the demo town's proposals would happen: pins around Afonbridge (a made-up town,
placed in a real Welsh town centre so the map has streets) and street descriptions.

Northfield is north of the centre, the Old Town around it, Harbourside on the water to the
south-east, Castle Ward to the west and the school of *Schools' Choice* to the east.
Proposals without a point (a café, a school library) keep a description only, as a person
may write one. The bilingual rounds' streets are named as Welsh signs name them, in both.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal

# Proposal title: (latitude, longitude or None, street description).
PLACES: dict[str, tuple[float | None, float | None, str]] = {
    "Pocket park on Mill Lane": (51.4921, -3.1812, "Corner plot of Mill Lane and Brook Street"),
    "Street trees for Station Road": (51.4908, -3.1779,
                                      "Station Road, from the station to the library"),
    "Repair café": (51.4930, -3.1790, "Northfield Library, Station Road"),
    "Northfield ice rink": (51.4944, -3.1835, "Northfield Green"),
    "Wildflower verges on Station Road": (51.4903, -3.1772, "Station Road verges"),
    "Safer crossing at Bridge Street": (51.4803, -3.1768, "Stryd y Bont / Bridge Street"),
    "Community fridge": (51.4811, -3.1790, "Stryd y Capel / Chapel Street"),
    "Market square seating": (51.4797, -3.1783, "Sgwâr y Farchnad / Market Square"),
    "Skate park refurbishment": (51.4786, -3.1812, "Parc Victoria / Victoria Park"),
    "Accessible toilets in the park": (51.4781, -3.1801, "Parc Victoria / Victoria Park"),
    "Free holiday football": (51.4858, -3.1741, "Caeau'r Ganolfan Hamdden / Leisure Centre fields"),
    "Music studio in the youth club": (51.4829, -3.1752, "Stryd yr Eglwys / Church Street"),
    "Bike repair workshops": (51.4832, -3.1747, "Stryd yr Eglwys / Church Street"),
    "Harbour wall murals": (51.4662, -3.1648, "The harbour wall along the quay"),
    "Outdoor gym": (51.4671, -3.1672, "Harbour Green"),
    "Lifebuoys and safety signs": (51.4655, -3.1631, "The quay, from the slipway to the lock"),
    "Wi-Fi in the harbour café": (None, None, "The harbour café on the quay"),
    "Allotment water supply": (51.4835, -3.1870, "Castle Road allotments"),
    "Outdoor classroom": (51.4874, -3.1718, "Afonbridge Primary School, by the field"),
    "Reading corner": (None, None, "The school library"),
    "Water refill stations": (51.4877, -3.1713, "The school field"),
    "Playground markings": (51.4871, -3.1724, "The infants' playground"),
}


def seed_places() -> str:
    """Place the demo proposals that have no place yet (the same pin for a title in any
    round, so a proposal someone else placed is left as it is)."""
    placed = 0
    for proposal in db.session.scalars(sa.select(Proposal).where(
            Proposal.title.in_(PLACES), Proposal.latitude.is_(None), Proposal.place == "")):
        proposal.latitude, proposal.longitude, proposal.place = PLACES[proposal.title]
        placed += 1
    db.session.commit()
    return f"Placed {placed} demo proposals on the map" if placed else \
        "Kept the demo proposals' places"
