"""Writes of the staff side; import the use cases from their modules (support, accounts, quality, feedback)."""
