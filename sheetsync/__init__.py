"""sheetsync: your sales pipeline spreadsheet, run like a CRM."""

__version__ = "0.1.0"
