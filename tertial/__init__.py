"""tertial: an event-sourced data warehouse for the boards (nämnder) of a Swedish city."""

__version__ = "0.1.0"
