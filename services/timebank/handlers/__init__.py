"""The time bank's handlers, by aggregate: thin (load, decide in the domain or the ledger,
save, emit, in one unit of work). `services/timebank/service.py` registers them."""

from . import exchanges, listings, members, pot, transfers

__all__ = ["exchanges", "listings", "members", "pot", "transfers"]
