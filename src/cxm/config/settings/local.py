"""Development settings for `make run`: DEBUG on unless the environment says otherwise."""

from cxm.config.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
