"""The community foundation's own money: donations in and grants out on the ledger, donation
receipts, and the street's dashboard."""
