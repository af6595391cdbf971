"""Eligibility pages for officers."""
