"""Voting: the ballot page, review, confirmation with a receipt, and receipt checks."""
