"""Funds, pledges, contributions, expenses and the append-only public ledger."""
