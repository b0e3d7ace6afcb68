"""Flask extensions, created unbound and initialised in the app factory."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
mail = Mail()
csrf = CSRFProtect()
babel = Babel()
# Limits are applied where the contract asks (failed logins, registration, resets, comments);
# nothing is limited by default, because a venue of 200 people shares one address.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
