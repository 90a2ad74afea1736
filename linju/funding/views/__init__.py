"""The funding pages: public (funds, a fund's ledger, pledging) and the treasurer's console."""
