"""Portfolio pages: the catalogue and project pages, editing, the lifecycle, citizens, open data."""
from app.portfolio import (catalogue_views, citizen_views, edit_views, lifecycle_views,  # noqa: F401
                           moderation_views, opendata_views, promotion_views)
from app.portfolio.blueprint import bp

__all__ = ["bp"]
