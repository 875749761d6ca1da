"""Thin handlers of the initiatives service, by aggregate: load, decide (in the domain), save,
emit, in the one transaction of the unit of work."""
