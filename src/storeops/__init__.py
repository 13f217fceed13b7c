"""Store Ops Workbook: the library every notebook, chapter and command imports."""

__version__ = "0.1.0"
