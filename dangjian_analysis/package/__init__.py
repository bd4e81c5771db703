"""Data-package layer: locating, reading, validating and loading a data package.

May import :mod:`dangjian_analysis.text`.
"""
