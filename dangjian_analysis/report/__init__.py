"""Report layer: tables for display, figures and their style.

May import :mod:`dangjian_analysis.analysis` and the layers below it.
"""
