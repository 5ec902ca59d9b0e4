"""The xlsx writer, one module per concern (being moved here from ``xlsx_splice``)."""
