"""The city's public portfolio of health projects: promoted winners and local initiatives, their
lifecycle, open data, and what citizens add (follows, comments, assessments)."""
