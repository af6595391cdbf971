"""Proposals: the listing, the page of each proposal, the authors and officers forms."""
