"""Lay-out stage: Jinja templating, the presentation filters and the ○/× marks."""
