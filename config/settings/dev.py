"""Local development: `make run`. SQLite under var/, console e-mail, no broker server."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
# A development key only: production refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-3c1f7e0e9b6a4d2f8a5c0b7e6d1f2a9c")  # noqa: S105
