"""news-monitor: watch news feeds, alert on new claims and denials about watched topics."""

__version__ = "0.1.0"
