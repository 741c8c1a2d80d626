"""eventgold: gold datasets of political events from news.

Push articles to Label Studio, pull annotations back, measure agreement,
adjudicate versioned gold data, score extractors and export training data.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eventgold")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

SCHEMA_VERSION = "1.1"

__all__ = ["SCHEMA_VERSION", "__version__"]
