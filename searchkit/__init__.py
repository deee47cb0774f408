"""searchkit: full-text search for news archives, from the terminal."""

from searchkit import lazy_morph

__version__ = "0.1.0"

lazy_morph.install()  # before anything imports whoosh.query
