"""Words people read for stored names: phases, roles, ballot methods, counting rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PHASE_LABELS = {
    "draft": _l("Draft"),
    "proposals": _l("Proposals"),
    "review": _l("Review"),
    "deliberation": _l("Deliberation"),
    "voting": _l("Voting"),
    "results": _l("Results"),
    "implementation": _l("Implementation"),
    "closed": _l("Closed"),
}

# What a resident can do in each phase, shown on the round page.
PHASE_INVITATIONS = {
    "draft": _l("This round is being prepared and is not public yet."),
    "proposals": _l("Put forward a project that would make a difference where you live, "
                    "and read what your neighbours suggest."),
    "review": _l("Officers are checking each proposal for feasibility and cost. Every "
                 "decision, and the reason for it, will be published."),
    "deliberation": _l("Read the shortlisted projects and discuss them before the vote."),
    "voting": _l("Vote for the projects you want funded. You can change your vote until "
                 "voting closes."),
    "results": _l("The votes have been counted. See which projects are funded and why."),
    "implementation": _l("Funded projects are being delivered. Follow their progress here."),
    "closed": _l("This round has finished. Its results and decisions remain public."),
}

ROLE_LABELS = {
    "resident": _l("Resident"),
    "facilitator": _l("Facilitator"),
    "officer": _l("Officer"),
    "council": _l("Council member"),
    "admin": _l("Admin"),
}

BALLOT_LABELS = {
    "approval": _l("Approval: pick up to a set number of projects"),
    "knapsack": _l("Knapsack: pick projects within the budget"),
    "cumulative": _l("Cumulative: spread points across projects"),
    "scoring": _l("Scoring: rate each project from 1 to 10"),
    "ranked": _l("Ranked: put your favourites in order"),
}

ELIGIBILITY_LABELS = {
    "accounts": _l("Accounts: any resident who logs in"),
    "census": _l("Census: people on a list you upload prove who they are"),
    "codes": _l("Voting codes: single-use codes printed on cards"),
}

CENSUS_CHECK_LABELS = {
    "postcode": _l("Postcode"),
    "birth_year": _l("Year of birth"),
    "date_of_birth": _l("Date of birth"),
}

CENSUS_CHECK_HINTS = {
    "postcode": _l("The postcode of your address, like NE1 4ST."),
    "birth_year": _l("Four digits, like 1984."),
    "date_of_birth": _l("Day, month and year, like 31/01/1984."),
}

RULE_LABELS = {
    "greedy": _l("Greedy: most support first, while the money lasts"),
    "greedy-threshold": _l("Greedy, leaving out projects under a minimum support"),
    "greedy-no-skip": _l("Greedy, stopping at the first project that does not fit"),
    "mes+add1": _l("Method of Equal Shares: a fair share of the budget for every voter"),
    "mes": _l("Method of Equal Shares, without completion"),
    "mes+add1-greedy": _l("Method of Equal Shares, then greedy with what is left"),
    "mes+add1-nostop": _l("Method of Equal Shares, raising shares while the result fits"),
    "phragmen": _l("Sequential Phragmén: spread the cost across supporters"),
}

# The same rules as residents know them (round and results pages), with the section of
# "How the count works" that explains each family of rules.
RESIDENT_RULE_LABELS = {
    "greedy": _l("Most votes first"),
    "greedy-threshold": _l("Most votes first, above a minimum support"),
    "greedy-no-skip": _l("Most votes first, stopping at the first that does not fit"),
    "mes+add1": _l("Equal shares"),
    "mes": _l("Equal shares"),
    "mes+add1-greedy": _l("Equal shares, then most votes first"),
    "mes+add1-nostop": _l("Equal shares"),
    "phragmen": _l("Shared cost"),
}
RULE_SECTIONS = {"greedy": "most-votes-first", "greedy-threshold": "most-votes-first",
                 "greedy-no-skip": "most-votes-first", "mes+add1": "equal-shares",
                 "mes": "equal-shares", "mes+add1-greedy": "equal-shares",
                 "mes+add1-nostop": "equal-shares", "phragmen": "shared-cost"}

# Labels by the kind of stored name, for errors that mention one (see UserError.kinds).
LABELS_BY_KIND = {"phase": PHASE_LABELS, "role": ROLE_LABELS}

# Citizens' councils: the decision body's responses and the register's statuses.
OUTCOME_LABELS = {
    "accepted": _l("Accepted"),
    "partly": _l("Partly accepted"),
    "not_accepted": _l("Not accepted"),
    "deferred": _l("Deferred"),
}

STATUS_LABELS = {
    "awaiting": _l("Awaiting a response"),
    "overdue": _l("Overdue"),
    **OUTCOME_LABELS,
}

# What each kind of decision-record entry is, in words.
RECORD_KIND_LABELS = {
    "advice.published": _l("Advice published"),
    "response.published": _l("Response published"),
    "response.amended": _l("Response amended"),
    "results.certified": _l("Results certified"),
    "results.departure": _l("Departure from the vote"),
    "implementation.update": _l("Implementation update"),
    "sortition.published": _l("Selection by lot published"),
    "sortition.drawn": _l("Council panel drawn by lot"),
    "sortition.replaced": _l("Replacement drawn by lot"),
}

# Choosing a council by lot: where a drawn volunteer's invitation stands.
INVITATION_LABELS = {
    "invited": _l("Invited"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "left": _l("Left"),
}

# Discussion: a comment's stance, and what a moderator did.
STANCE_LABELS = {
    "for": _l("For"),
    "against": _l("Against"),
    "question": _l("Question"),
}

MODERATION_LABELS = {
    "hide": _l("Hidden"),
    "unhide": _l("Shown again"),
}

# Proposals: their statuses, officers' review decisions, revised fields and listing orders.
PROPOSAL_STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "feasible": _l("Feasible"),
    "not_feasible": _l("Not feasible"),
    "merged": _l("Merged"),
    "withdrawn": _l("Withdrawn"),
    "shortlisted": _l("Shortlisted"),
}

PROPOSAL_OUTCOME_LABELS = {
    "feasible": _l("Feasible"),
    "adjusted": _l("Feasible at an adjusted cost"),
    "not_feasible": _l("Not feasible"),
    "merged": _l("Merged into another proposal"),
}

PROPOSAL_FIELD_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "body": _l("Full description"),
    "cost_minor": _l("Estimated cost"),
    "category": _l("Category"),
    "area": _l("Area"),
    "language": _l("Language"),
    "place": _l("Where"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "pictures": _l("Photos"),
}

PROPOSAL_SORT_LABELS = {
    "random": _l("Random order (the same for you each visit)"),
    "newest": _l("Newest first"),
    "discussed": _l("Most discussed"),
    "cost_low": _l("Cost, lowest first"),
    "cost_high": _l("Cost, highest first"),
}

# After the count: departures from the vote and progress on funded projects.
DEPARTURE_LABELS = {
    "fund": _l("Fund it against the vote"),
    "drop": _l("Drop it against the vote"),
}
DEPARTURE_DONE_LABELS = {
    "fund": _l("funded against the vote"),
    "drop": _l("dropped against the vote"),
}
IMPLEMENTATION_LABELS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}
