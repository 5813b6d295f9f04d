"""OpenCXM: a self-hosted Customer Experience Management platform."""

__version__ = "0.1.0"
