"""Notifications: the in-app inbox, and text and WeChat messages sent after the write commits."""
