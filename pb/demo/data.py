"""The demo town of Afonbridge: its people, rounds and proposals (data only)."""

from __future__ import annotations

DEMO_PASSWORD = "afonbridge-demo-2026"  # noqa: S105 - printed for demo logins on purpose

ACCOUNTS = [
    # (email, display name, extra roles)
    ("admin@demo.example.org", "Alex Admin", ("admin",)),
    ("officer@demo.example.org", "Olu Officer", ("officer",)),
    ("facilitator@demo.example.org", "Fran Facilitator", ("facilitator",)),
    ("council@demo.example.org", "Carys Council", ("council",)),
    ("resident@demo.example.org", "Rhys Resident", ()),
]

# (title, area, budget in pounds, ballot method, rule, phase, description, proposals)
# A proposal is (title, summary, cost in pounds, category, status).
ROUNDS = [
    ("Green Northfield 2027", "Northfield", 150_000, "approval", "mes+add1", "proposals",
     "Ideas for greener streets, parks and play in **Northfield**. Any resident aged 11 or "
     "over can propose a project costing up to £40,000.",
     [("Pocket park on Mill Lane", "Turn the empty corner plot into a small park with "
       "benches and wildflowers.", 38_000, "Parks", "submitted"),
      ("Street trees for Station Road", "Plant 40 street trees with watering bags and a "
       "volunteer rota.", 24_000, "Environment", "submitted"),
      ("Repair café", "A monthly repair café in the library, with tools and volunteers' "
       "training.", 6_500, "Community", "submitted")]),
    ("Old Town Community Fund", "Old Town", 250_000, "knapsack", "greedy", "voting",
     "£250,000 for projects chosen by Old Town residents. Pick any projects that fit within "
     "the budget.",
     [("Safer crossing at Bridge Street", "A zebra crossing and lighting outside the primary "
       "school.", 85_000, "Transport", "feasible"),
      ("Community fridge", "A shared fridge at the community centre to cut food waste.",
       12_000, "Community", "feasible"),
      ("Market square seating", "Twenty benches and planters in the market square.",
       46_000, "Public space", "feasible"),
      ("Skate park refurbishment", "Resurface the skate park and add two new ramps.",
       120_000, "Youth", "feasible"),
      ("Accessible toilets in the park", "Two accessible toilets with a changing place.",
       95_000, "Accessibility", "feasible")]),
    ("Youth Decide 2026", "Afonbridge", 50_000, "scoring", "greedy", "deliberation",
     "Young people aged 11 to 25 decide how £50,000 is spent on youth services. Groups pitch "
     "their projects at the live event in the Town Hall.",
     [("Free holiday football", "Coaching and kit for free football over the summer "
       "holidays.", 9_000, "Sport", "shortlisted"),
      ("Music studio in the youth club", "Recording equipment and a weekly session with a "
       "producer.", 14_500, "Arts", "shortlisted"),
      ("Mental health peer support", "Training for 20 young peer supporters.", 11_000,
       "Health", "shortlisted"),
      ("Bike repair workshops", "Teach bike maintenance and give refurbished bikes away.",
       7_500, "Transport", "shortlisted")]),
    ("Harbourside Improvements 2025", "Harbourside", 50_000, "approval", "greedy", "results",
     "The 2025 round for Harbourside. Results are in; the projects are being planned.",
     [("Harbour wall murals", "Murals by local artists along the harbour wall.", 18_000,
       "Arts", "feasible"),
      ("Outdoor gym", "Outdoor fitness equipment on the green.", 32_000, "Sport",
       "feasible"),
      ("Lifebuoys and safety signs", "New lifebuoys and signs along the quay.", 8_000,
       "Safety", "feasible"),
      ("Wi-Fi in the harbour café", "Free public Wi-Fi for visitors.", 15_000, "Digital",
       "not_feasible")]),
    ("Castle Ward 2024", "Castle Ward", 80_000, "approval", "greedy", "closed",
     "The 2024 round for Castle Ward, now finished.",
     [("Allotment water supply", "Mains water for the Castle Road allotments.", 21_000,
       "Environment", "feasible")]),
    ("Riverside Walk 2027", "Riverside", 200_000, "approval", "mes+add1", "draft",
     "Being prepared by officers; not public yet.", []),
]

# The citizens' council of Afonbridge and its history of advice and responses.
# Members are (email, display name, days since the term started, days since it ended or None).
COUNCIL = {
    "name": "Afonbridge Citizens’ Council",
    "remit": "Twelve residents, chosen by lot each year, advise the town council on how the "
             "participatory budget is run and spent. The council's executive must respond to "
             "every recommendation within **30 days**, with reasons whenever advice is not "
             "followed.",
    "response_days": 30,
    "members": [
        ("council@demo.example.org", "Carys Council", 400, None),
        ("dewi@demo.example.org", "Dewi Davies", 400, None),
        ("mari@demo.example.org", "Mari Morgan", 200, None),
        ("gethin@demo.example.org", "Gethin Griffiths", 760, 370),
    ],
}

REASONS_GYM = ("Residents on Harbour Terrace asked us to keep the green quiet after 21:00, and "
               "the lighting would cost £6,000 a year that the round did not budget for.")
REASONS_LIGHTS = ("We will light the busiest 300 metres of the quay path now and the rest once "
                  "the harbour wall repairs finish, because the contractor needs that stretch.")
REASONS_YOUTH = ("A yearly youth round needs a budget line that full council sets in February; "
                 "we will decide once the 2027 budget is agreed.")
REASONS_PRIORITY = ("The fund was already advertised with open categories; changing them "
                    "halfway would be unfair to groups who have applied.")
REASONS_PRIORITY_AMENDED = ("Categories stay open this year, but the assessment will now give "
                            "extra weight to accessibility, as the council advised.")

# Referrals: (question, background, days ago referred, days ago published or None, recommendations)
# A recommendation is (text, rationale, responses); a response is
# (days after publication, outcome, reasons, deferred until as days from today or None).
REFERRALS = [
    ("How should the Harbourside projects be delivered?",
     "The 2025 Harbourside round funded three projects for **£58,000**. Officers propose to "
     "deliver them in one contract over the winter.", 175, 150,
     [("Publish a plain-English cost breakdown for every funded project.",
       "Residents could not tell what the money bought last time.",
       [(20, "accepted", "", None)]),
      ("Keep the outdoor gym lit and open until 22:00 in summer.",
       "Young people use it after work and college.",
       [(24, "not_accepted", REASONS_GYM, None)]),
      ("Ring-fence £10,000 for lighting on the quay path.",
       "The path is dark and people avoid it in winter.",
       [(25, "partly", REASONS_LIGHTS, None), (60, "accepted", "", None)]),
      ("Hold a round for young people every year.",
       "Youth Decide showed how much young people want a say.",
       [(28, "deferred", REASONS_YOUTH, -30)])]),
    ("What should the Old Town Community Fund prioritise?",
     "£250,000 is open to Old Town groups. The council was asked whether the fund should "
     "favour any kind of project.", 70, 45,
     [("Give extra weight to projects that improve access for disabled residents.",
       "Two in five Old Town households include someone with a disability.",
       [(9, "not_accepted", REASONS_PRIORITY, None),
        (25, "partly", REASONS_PRIORITY_AMENDED, None)]),
      ("Publish every assessment score with the reasons for it.",
       "Groups want to learn why they were not funded.", []),
      ("Pay for interpreters at the voting events.",
       "Welsh and Polish speakers told us they felt left out.", [])]),
    ("How can more young people take part in Youth Decide?",
     "Turnout among 18–25 year olds was 9% last year.", 10, None,
     [("Hold the live event on a Saturday afternoon.", "Many young people work on weekdays.",
       [])]),
]

# The council's next members, to be chosen by lot: quotas from the town's census shares.
RECRUITMENT = {
    "title": "Afonbridge Citizens’ Council 2027–28",
    "seats": 12,
    "volunteers": 300,
    "seed_source": "Five numbered balls drawn from a bag by the mayor at the full council "
                   "meeting, read out, minuted and streamed.",
    "quotas": """feature,category,min,max,population
Age,16-29,2,4,0.24
Age,30-44,2,4,0.26
Age,45-64,3,5,0.31
Age,65+,2,3,0.19
Gender,Woman,5,7,0.51
Gender,Man,5,7,0.47
Gender,Another way,0,1,0.02
Area,Riverside,2,4,0.27
Area,Old Town,2,4,0.25
Area,Hillcrest,2,4,0.26
Area,Northfield,2,4,0.22
Housing,Owner,5,8,0.58
Housing,Private renter,2,4,0.22
Housing,Social renter,2,3,0.20
""",
}
