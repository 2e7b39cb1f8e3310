"""Tools that write the documentation from the code (python -m docs.sql_coverage)."""
