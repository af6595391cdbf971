"""Two demo rounds written in English and Welsh: their titles, descriptions, category names,
and every proposal's title, summary and body (pb.domain.languages keeps the Welsh in each
row's `translations`). *Old Town Community Fund* publishes in both languages; *Youth Decide
2026* has both without requiring them; the other rounds stay English only, so a Welsh reader
sees them with the "Not yet available in Cymraeg" note.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal, Round

# Round title: (Welsh title, Welsh description, publishes in both languages, Welsh category
# names, {proposal title: (English body, Welsh title, Welsh summary, Welsh body)}).
BILINGUAL: dict[str, tuple[str, str, bool, dict[str, str],
                           dict[str, tuple[str, str, str, str]]]] = {
    "Old Town Community Fund": (
        "Cronfa Gymunedol yr Hen Dref",
        "£250,000 ar gyfer prosiectau a ddewisir gan drigolion yr Hen Dref. Dewiswch unrhyw "
        "brosiectau sy'n ffitio o fewn y gyllideb.",
        True,
        {"Transport": "Trafnidiaeth", "Community": "Cymuned", "Public space": "Man cyhoeddus",
         "Youth": "Ieuenctid", "Accessibility": "Hygyrchedd"},
        {"Safer crossing at Bridge Street": (
            "Children cross Bridge Street twice a day where cars come fast off the bridge. The "
            "crossing would have flashing beacons, a wider pavement at each end and brighter "
            "street lights.",
            "Croesfan fwy diogel ar Stryd y Bont",
            "Croesfan sebra a goleuadau y tu allan i'r ysgol gynradd.",
            "Mae plant yn croesi Stryd y Bont ddwywaith y dydd, lle mae ceir yn dod yn gyflym "
            "oddi ar y bont. Byddai gan y groesfan oleuadau sy'n fflachio, palmant lletach ar "
            "bob pen a goleuadau stryd mwy disglair."),
         "Community fridge": (
            "Shops and neighbours leave food that is still good, and anyone may take it. "
            "Volunteers check the fridge every day and keep it clean.",
            "Oergell gymunedol",
            "Oergell a rennir yn y ganolfan gymunedol i leihau gwastraff bwyd.",
            "Mae siopau a chymdogion yn gadael bwyd sy'n dal yn dda, a chaiff unrhyw un ei "
            "gymryd. Mae gwirfoddolwyr yn gwirio'r oergell bob dydd ac yn ei chadw'n lân."),
         "Market square seating": (
            "Somewhere to sit on market days, with planters of flowers and herbs that the "
            "gardening club will look after.",
            "Seddi yn sgwâr y farchnad",
            "Ugain mainc a phlanwyr yn sgwâr y farchnad.",
            "Rhywle i eistedd ar ddiwrnodau marchnad, gyda phlanwyr blodau a pherlysiau y bydd "
            "y clwb garddio yn gofalu amdanynt."),
         "Skate park refurbishment": (
            "The surface is cracked and the ramps are worn out. Young people who use the park "
            "helped choose the new design.",
            "Adnewyddu'r parc sglefrio",
            "Ail-wynebu'r parc sglefrio ac ychwanegu dau ramp newydd.",
            "Mae'r wyneb wedi cracio ac mae'r rampiau wedi treulio. Helpodd pobl ifanc sy'n "
            "defnyddio'r parc i ddewis y cynllun newydd."),
         "Accessible toilets in the park": (
            "The nearest changing place is in the city centre. These toilets would let "
            "disabled residents and their families stay in the park all day.",
            "Toiledau hygyrch yn y parc",
            "Dau doiled hygyrch gyda lle newid.",
            "Mae'r lle newid agosaf yng nghanol y ddinas. Byddai'r toiledau hyn yn gadael i "
            "drigolion anabl a'u teuluoedd aros yn y parc drwy'r dydd.")}),
    "Youth Decide 2026": (
        "Pobl Ifanc yn Penderfynu 2026",
        "Pobl ifanc 11 i 25 oed sy'n penderfynu sut i wario £50,000 ar wasanaethau ieuenctid. "
        "Mae grwpiau'n cyflwyno eu prosiectau yn y digwyddiad byw yn Neuadd y Dref.",
        False,
        {"Sport": "Chwaraeon", "Arts": "Celfyddydau", "Health": "Iechyd",
         "Transport": "Trafnidiaeth"},
        {"Free holiday football": (
            "Two sessions a week in the park for ages 11 to 16, run by qualified coaches, with "
            "kit to keep.",
            "Pêl-droed am ddim yn y gwyliau",
            "Hyfforddiant a chit ar gyfer pêl-droed am ddim dros wyliau'r haf.",
            "Dwy sesiwn yr wythnos yn y parc i rai 11 i 16 oed, gyda hyfforddwyr cymwys, a chit "
            "i'w gadw."),
         "Music studio in the youth club": (
            "Young people write, record and release their own songs, in English and in Welsh.",
            "Stiwdio gerddoriaeth yn y clwb ieuenctid",
            "Offer recordio a sesiwn wythnosol gyda chynhyrchydd.",
            "Mae pobl ifanc yn ysgrifennu, yn recordio ac yn rhyddhau eu caneuon eu hunain, yn "
            "Gymraeg ac yn Saesneg."),
         "Mental health peer support": (
            "Trained young people are there to listen at school and online, and know where to "
            "send a friend for more help.",
            "Cymorth iechyd meddwl gan gyfoedion",
            "Hyfforddiant i 20 o gefnogwyr cyfoed ifanc.",
            "Mae pobl ifanc sydd wedi'u hyfforddi yno i wrando yn yr ysgol ac ar-lein, ac yn "
            "gwybod ble i anfon ffrind am ragor o help."),
         "Bike repair workshops": (
            "Saturday workshops at the youth club: learn to fix a puncture and adjust brakes "
            "and gears, and take home a bike you helped repair.",
            "Gweithdai trwsio beiciau",
            "Dysgu sut i gynnal a chadw beiciau, a rhoi beiciau wedi'u hadnewyddu i ffwrdd.",
            "Gweithdai ar ddydd Sadwrn yn y clwb ieuenctid: dysgwch sut i drwsio twll mewn "
            "teiar ac addasu'r brêcs a'r gêrs, a mynd â beic adref y gwnaethoch chi helpu i'w "
            "drwsio.")}),
}


def add_welsh(round_: Round) -> None:
    """Write the Welsh of a bilingual demo round and its proposals, where it is missing."""
    spec = BILINGUAL.get(round_.title)
    if spec is None or round_.translations:
        return
    title, description, both, categories, proposals = spec
    round_.language = round_.language or "en"
    round_.translations = {"cy": {"title": title, "description": description}}
    round_.category_names = {name: {"cy": welsh} for name, welsh in categories.items()}
    round_.both_languages = both
    for proposal in db.session.scalars(sa.select(Proposal).where(
            Proposal.round_id == round_.id, Proposal.title.in_(proposals))):
        body, p_title, summary, p_body = proposals[proposal.title]
        proposal.language = proposal.language or "en"
        proposal.body = proposal.body or body
        proposal.translations = {"cy": {"title": p_title, "summary": summary, "body": p_body}}
    db.session.commit()
