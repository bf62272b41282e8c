"""labelsvc: serials, GS1 labels and printing for a warehouse dock."""

__version__ = "0.1.0"
