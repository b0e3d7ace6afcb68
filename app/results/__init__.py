"""The end of a challenge: awards and funding, publication, feedback, people's choice, announcements,
the audit log and the challenge archive."""
