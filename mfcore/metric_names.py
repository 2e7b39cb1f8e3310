"""The evaluation metrics' names, in BigQuery's column order, apart from the numpy that computes
them: the catalog orders stored metrics by them without loading numpy and scipy."""

EXPLICIT_METRICS = (
    "mean_absolute_error",
    "mean_squared_error",
    "mean_squared_log_error",
    "median_absolute_error",
    "r2_score",
    "explained_variance",
)
IMPLICIT_METRICS = (
    "mean_average_precision",
    "mean_squared_error",
    "normalized_discounted_cumulative_gain",
    "average_rank",
)
