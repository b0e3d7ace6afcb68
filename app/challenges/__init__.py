"""Challenges: hackathons and calls for projects, their set-up, criteria and phases."""
