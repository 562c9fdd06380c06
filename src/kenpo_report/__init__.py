"""kenpo-report: official 協会けんぽ branch reports from YAML, as PDF and DOCX."""

__version__ = "0.1.0"
