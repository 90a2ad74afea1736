"""The roster import: parse, map columns, preview, apply, export."""
