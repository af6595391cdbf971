"""The demo town's conversations (data only): who says what, on which proposal, replying to whom.

People are indexes into `pb.demo.discussion.PEOPLE`; keys are unique and never reused, since
they make each comment's one-time form key (so seeding again posts nothing new).
"""

from __future__ import annotations

# (round title, proposal number in that round, [(key, author, parent key, stance, text)])
Thread = tuple[str, int, list[tuple[str, int, str | None, str, str]]]

THREADS: list[Thread] = [
    ("Youth Decide 2026", 0, [
        ("a1", 0, None, "for", "My daughter would use this every week. The nearest one is "
                               "two bus rides away."),
        ("a2", 1, "a1", "question", "Who would look after it in the evenings? Is there a "
                                    "plan for **staffing**?"),
        ("a3", 2, "a2", "for", "The proposal says the youth service would open it three "
                               "evenings a week."),
        ("a4", 1, None, "against", "I like the idea, but the cost seems high for what it is. "
                                   "Could it share a building?"),
        ("a5", 2, None, "against", "Whoever wrote this is an idiot and should move away."),
        ("a6", 4, "a4", "for", "Coaching and kit for a whole summer is not cheap anywhere. "
                               "£9,000 for six weeks of free sessions sounds fair to me."),
        ("a7", 5, None, "question", "Would girls' sessions be run separately? My niece stopped "
                                    "going to mixed training at 13."),
        ("a8", 6, "a7", "for", "The club already runs a girls' team on Saturdays; they could "
                               "add holiday sessions for it."),
    ]),
    ("Youth Decide 2026", 1, [
        ("b1", 1, None, "question", "Would this run in the school holidays too?"),
        ("b2", 0, "b1", "for", "It should! Holidays are when young people need it most."),
        ("b3", 2, None, "for", "Strongly support: see the [youth survey]"
                               "(https://example.org/survey) results."),
        ("b4", 7, None, "against", "A studio is lovely for a few, but peer support or "
                                   "football reaches many more young people for the money."),
        ("b5", 3, "b4", "question", "How many young people would the studio take each week? "
                                    "That would settle it for me."),
        ("b6", 2, "b5", "for", "The youth club says twelve a week in two groups, and "
                               "recordings shared online for anyone."),
    ]),
    ("Youth Decide 2026", 2, [
        ("d1", 5, None, "for", "Young people talk to each other before they talk to any "
                               "adult. Trained peers could catch problems early."),
        ("d2", 6, "d1", "question", "Who supports the peer supporters when a conversation is "
                                    "too heavy to carry?"),
        ("d3", 4, "d2", "for", "The plan includes monthly supervision with the school "
                               "counsellor, paid from the same budget."),
    ]),
    ("Youth Decide 2026", 3, [
        ("e1", 7, None, "for", "Half the bikes in the shed at our flats just need a chain "
                               "and brakes. This would get them back on the road."),
        ("e2", 3, None, "question", "Where would the refurbished bikes come from?"),
        ("e3", 8, "e2", "for", "The police auction unclaimed bikes every spring, and the "
                               "tip sets good ones aside if asked."),
    ]),
    ("Green Northfield 2027", 0, [
        ("c1", 0, None, "for", "Great idea for the park."),
        ("c2", 2, "c1", "question", "Has anyone asked the allotment society?"),
        ("c3", 3, "c2", "for", "I'm on the committee: we would happily help look after the "
                               "wildflower beds."),
        ("c4", 6, None, "against", "That corner floods every winter. Benches there will sit "
                                   "in a puddle from November to March."),
        ("c5", 0, "c4", "question", "Could the plan include a raised path and a rain garden "
                                    "to soak up the water?"),
    ]),
    ("Green Northfield 2027", 1, [
        ("f1", 8, None, "for", "Station Road is baking hot in summer. Trees would make the "
                               "walk to the station bearable."),
        ("f2", 5, None, "against", "Tree roots lifted the pavement on our street and nobody "
                                   "fixed it for two years. Who pays for that?"),
        ("f3", 7, "f2", "for", "The proposal uses root barriers, and the species chosen have "
                               "deep roots; worth reading the details."),
    ]),
    ("Green Northfield 2027", 2, [
        ("g1", 4, None, "for", "I'd bring my toaster, my lamp and half my jumpers. Count me "
                               "in as a volunteer too."),
        ("g2", 1, "g1", "question", "Is there insurance for volunteers repairing electrical "
                                    "things?"),
    ]),
    ("Old Town Community Fund", 0, [
        ("h1", 3, None, "for", "Children cross there every morning between parked vans. A "
                               "zebra crossing is overdue."),
        ("h2", 8, "h1", "for", "Agreed. The lollipop lady retired last year and was never "
                               "replaced."),
        ("h3", 1, None, "question", "Isn't a crossing the highways department's job rather "
                                    "than the community fund's?"),
        ("h4", 6, "h3", "against", "Exactly: we would be paying twice for something the "
                                   "council should do anyway."),
        ("h5", 3, "h3", "for", "They said it is not on their list for five years. The fund "
                               "can do it next spring."),
    ]),
    ("Old Town Community Fund", 1, [
        ("i1", 2, None, "for", "The fridge in Treforest cut the centre's food waste by half "
                               "in a year."),
        ("i2", 4, "i1", "question", "Who checks the dates on what goes in?"),
        ("i3", 2, "i2", "for", "Volunteers do a daily check, with a log sheet the food "
                               "safety officer approved."),
    ]),
    ("Old Town Community Fund", 2, [
        ("j1", 5, None, "for", "Older people in Old Town have nowhere to sit down between "
                               "the bus stop and the shops."),
        ("j2", 7, None, "against", "Planters get vandalised within a week here."),
        ("j3", 0, "j2", "against", "And they end up full of litter if nobody owns them."),
    ]),
    ("Old Town Community Fund", 3, [
        ("k1", 1, None, "for", "The skate park is the only free thing for teenagers on this "
                               "side of the river."),
        ("k2", 6, None, "against", "£120,000 is nearly half the fund for one project."),
        ("k3", 4, "k2", "question", "Could it be done in two phases, ramps first?"),
    ]),
    ("Old Town Community Fund", 4, [
        ("l1", 8, None, "for", "Without a changing place my brother cannot come to the park "
                               "at all. This matters more than anything else on the list."),
        ("l2", 3, "l1", "for", "Same for us. The nearest changing place is in the city "
                               "centre."),
    ]),
    ("Schools' Choice 2026", 0, [
        ("m1", 5, None, "for", "Lessons outside when it's dry would be brilliant for science "
                               "and art."),
        ("m2", 7, "m1", "question", "Would it have a roof? It rains a lot here."),
    ]),
    ("Schools' Choice 2026", 2, [
        ("n1", 4, None, "for", "The field has no water at all, and sports day last summer "
                               "was awful."),
    ]),
]
