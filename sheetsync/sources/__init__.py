"""Spreadsheet backends: where the pipeline is read from and owned tabs are written to."""
