"""Accounts: registration, confirmation, sign-in sessions, password reset, API tokens, privacy."""
