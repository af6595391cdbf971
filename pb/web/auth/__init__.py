"""Accounts: register, log in and out, reset a forgotten password."""
