"""What every feature shares: database base, clock, errors, API plumbing, mail outbox, layout."""
