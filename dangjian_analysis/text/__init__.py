"""Text layer: Chinese quantities and numerals, text normalization, article files.

Depends on nothing else in the package.
"""
