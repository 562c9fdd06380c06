"""Compute stage: figures (Decimal, half-up) and every decision the documents show."""
