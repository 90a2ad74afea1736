"""The board's pages: what readers see (``public``) and the console (``console``)."""
