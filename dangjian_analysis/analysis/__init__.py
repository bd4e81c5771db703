"""Analysis layer: intervals, derived values, cross-region tables, national context, models.

May import :mod:`dangjian_analysis.package` and :mod:`dangjian_analysis.text`; never
presentation.
"""
