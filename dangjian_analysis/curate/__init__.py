"""Curation tools: candidate extraction, extraction recall, indicator rules, provenance.

Beside the analysis: may import :mod:`dangjian_analysis.package` and
:mod:`dangjian_analysis.text` only.
"""
