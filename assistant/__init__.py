"""Trợ lý số: offline Vietnamese Q&A over cited guides."""

__version__ = "0.1.0"
