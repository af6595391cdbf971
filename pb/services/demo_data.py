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
    ("Green Northfield 2027", "Northfield", 150_000, "approval", "mes", "proposals",
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
    ("Harbourside Improvements 2025", "Harbourside", 120_000, "approval", "greedy", "results",
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
    ("Riverside Walk 2027 (draft)", "Riverside", 200_000, "approval", "mes", "draft",
     "Being prepared by officers; not public yet.", []),
]
