"""WeChat adapters: the mini-program's code-to-session exchange and subscribe messages."""
