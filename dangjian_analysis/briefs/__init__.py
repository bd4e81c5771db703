"""Publishing layer: HTML briefs, their sources and build information, generated docs.

Also the offline check of a page. May import every layer below it (report, analysis,
package, text).
"""
