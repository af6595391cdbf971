"""Citizens' councils: `councils` (members, referrals, advice and its publication),
`responses` (the decision body's answer to each recommendation, comply or explain) and
`register` (the public register with its figures). Like every service it writes only inside
a unit of work and may import the broadcast catalogue, models, domain and other services.
"""
