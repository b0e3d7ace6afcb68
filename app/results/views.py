"""Results pages: awards and funding, publication and the public results, feedback, the public
vote, announcements, the audit log and the archive."""
from app.results import (announcement_views, archive_views, audit_views, award_views,  # noqa: F401
                         feedback_views, publication_views, vote_views)
from app.results.blueprint import bp

__all__ = ["bp"]
