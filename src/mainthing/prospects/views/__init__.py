"""Prospect pages, one module per area: prospects (list, card, edits, merge, export),
importing (the lead CSV import) and money (lead sources, spend, income)."""
