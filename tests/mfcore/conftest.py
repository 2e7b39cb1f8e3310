"""Shared fixtures for the mfcore tests: small synthetic ratings frames."""

from __future__ import annotations

import pandas as pd
import pytest

from mfcore import make_ratings


@pytest.fixture(scope="session")
def ratings() -> pd.DataFrame:
    """Return about 6,000 ratings by 200 users of 150 items, columns user, item, rating."""
    df = make_ratings(200, 150, 6_000, random_state=7)
    return df.rename(columns={"user_id": "user", "item_id": "item"})


@pytest.fixture(scope="session")
def tiny() -> pd.DataFrame:
    """Return a hand-made frame of 3 users and 3 items."""
    return pd.DataFrame(
        {
            "user": [1, 1, 2, 2, 3, 3, 3],
            "item": [10, 20, 10, 30, 10, 20, 30],
            "rating": [5.0, 3.0, 4.0, 1.0, 2.0, 4.0, 5.0],
        }
    )
