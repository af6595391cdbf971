"""Pure domain code: values in, values out; no Flask, no SQLAlchemy, no I/O.

Money, phases, ballots and their rules, eligibility, proposals, discussion, paper batches,
the live session's state machine and its controls, records' hashing, councils, and the
counting rules (`tally`), and choosing a council by lot (`sortition`). It imports only the
standard library and itself (import-linter and tests/domain/test_purity.py keep it so), except
`sortition.fair`, which computes with the Sortition Foundation's library and the HiGHS solver;
every other layer may import it.
"""
