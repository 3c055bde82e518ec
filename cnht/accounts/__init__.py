"""Accounts: users and roles, sign-in, password reset, API tokens, claims of an enterprise profile."""
