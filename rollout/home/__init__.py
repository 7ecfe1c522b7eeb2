"""The welcome page and the health check."""

from rollout.home.routes import bp

__all__ = ["bp"]
