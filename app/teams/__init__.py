"""Teams: forming, joining by link or code, the team finder, and the captain's powers."""
