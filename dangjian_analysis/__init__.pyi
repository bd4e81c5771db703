# The public API: the one list of exported names. ``__init__.py`` hands this file to
# ``lazy_loader.attach_stub``, which reads it at import time and loads each name from its
# module on first use; type checkers and IDEs read it as the package's stub.

from .analysis.benchmarks import (
    BENCHMARK_LEVELS,
    DIFFERENCE_UNIT,
    NO_BENCHMARK,
    NO_COMPARABLE,
    benchmark_choice_signs,
    benchmark_regions,
    price_basis,
    province_benchmarks,
    relative_to_benchmark,
)
from .analysis.crosssection import (
    TREND_WARNING,
    candidate_frame,
    comparability_summary,
    coverage_candidates,
    cross_section,
    outcome_candidates,
    pair_intervals,
    preferred_pairs,
    specification_range,
    within_region_change,
)
from .analysis.derived import (
    Derived,
    compound_growth_rates,
    derived_frame,
    derived_ratios,
    implied_denominators,
    reported_growth_rates,
    scope_chain,
)
from .analysis.firm_effects import EventStudy, balance_table, event_study, firm_effects
from .analysis.firm_power import panel_power
from .analysis.firm_synthetic import synthetic_firm_panel
from .analysis.formatting import (
    format_interval,
    format_number,
    period_words,
    reader_interval,
    reader_number,
)
from .analysis.intervals import Interval, compound_growth, elapsed_years, interval_from_figure
from .analysis.models import (
    InsufficientDataError,
    min_attainable_p,
    ols_classical,
    ols_hc3,
    permutation_distribution,
    rank_correlation,
    rank_correlation_bounds,
    rank_statistic,
    slope_bounds,
    slope_comparison,
)
from .analysis.national import (
    match_regional_coverage,
    national_counts,
    national_coverage,
    national_implied_denominators,
    national_series_plot_table,
    national_sources,
)
from .analysis.overview import (
    figures_by_topic,
    linked_disagreements,
    qualifier_counts,
    sources_overview,
)
from .analysis.power import (
    critical_rank_correlation,
    fisher_z_min_detectable_r,
    fisher_z_required_n,
    min_detectable_r,
    power_curve,
    power_table,
    rank_test_power,
    required_n,
)
from .analysis.published import (
    count_estimates,
    estimate_intervals,
    magnitude_groups,
    publication_labels,
    shared_samples,
)
from .analysis.sensitivity import (
    leave_one_out,
    open_bound_regions,
    sign_segments,
    specification_signs,
    timing,
    tipping_points,
    with_alternative,
)
from .briefs.build import build_briefs
from .briefs.execute import BriefBuildError
from .briefs.offline import external_resources
from .curate.extract import Candidate, Period, diff_candidates, extract_candidates, find_periods
from .curate.provenance import verify_sources
from .curate.recall import extraction_recall
from .package.errors import DataPackageNotFoundError, DataValidationError, Problem
from .package.estimates import has_published_estimates, reported_significant
from .package.levels import national_figures, regional_figures
from .package.loaders import (
    LoadedPackage,
    load_estimates,
    load_figures,
    load_indicators,
    load_package,
    load_publications,
    load_regions,
    load_scopes,
    load_sources,
)
from .package.panel import check_firm_panel, firm_panel_schema, load_firm_panel, write_firm_panel
from .package.paths import default_data_dir, resolve_data_dir
from .package.schema import data_version, read_datapackage
from .package.settings import AnalysisSettings, read_analysis_settings
from .package.validation import validate
from .report.estimate_plots import estimate_grid, magnitude_panels
from .report.findings import KeyFindings, key_findings, show_only_findings_unless
from .report.firm_plots import effects_plot, event_study_plot
from .report.plots import (
    capacity_bars,
    coverage_growth_scatter,
    interval_comparison,
    permutation_plot,
    power_curve_plot,
    series_with_breaks,
    specification_dots,
    tipping_point_chart,
)
from .report.present import (
    capacity_measures,
    capacity_plot_table,
    figure_listing,
    interval_columns,
    region_label,
    scatter_markers,
    scatter_table,
    scope_table,
    show_candidates,
    show_cross_section,
    show_derived,
)
from .report.published import (
    counts_table,
    designs_table,
    estimate_plot_table,
    estimates_table,
    firm_level_summary,
    publication_sources,
    shared_samples_table,
)
from .report.reader import (
    ReaderTable,
    Vocabulary,
    benchmark_table,
    candidates_table,
    caveat_words,
    comparability_table,
    cross_section_table,
    derived_table,
    figures_table,
    left_out_notes,
    power_tables,
    reader_table,
    source_names,
    vocabulary,
)
from .report.style import cjk_font_family, use_style
from .text.articles import ArticleError, read_article
from .text.normalize import normalize_text
from .text.quantity import (
    Quantity,
    QuantityParseError,
    parse_chinese_numeral,
    parse_quantity,
    printed_step,
)

__version__: str
