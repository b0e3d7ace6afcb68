"""Submissions: each team's idea, its revisions and attachments, up to the deadline."""
