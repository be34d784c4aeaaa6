"""95 % intervals of means and of their differences, from sums and sums of squares.

Which interval, and why: a t-based interval of the mean. It needs only the
number of scores, their sum and their sum of squares, which the count tables
hold per (question, choice) already (``score x responses``), so it costs the
same at 100 or 100,000 responses; a bootstrap would have to resample answer
rows (or per-respondent scores that change with the items compared).

Answers of one respondent to the items of one domain are not independent (a
respondent who finds youth work pressing says so in several items), so the
standard error divides the scores' standard deviation by the square root of
the **respondents**, not of the answers: that treats each respondent's
answers as one observation, which is wider (more cautious) than counting
every answer, and honest whatever the items' correlation. A change between
two rounds is Welch's difference of two independent means, with the smaller
of the two degrees of freedom (a conservative choice). A change whose
interval holds 0 is "within the noise".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: 97.5 % quantiles of Student's t for 1 to 30 degrees of freedom.
_T_975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip
_Z_975 = 1.959963984540054


def t_quantile(df: float) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom (df >= 1).

    A table up to 30, then the Cornish-Fisher expansion around the normal
    quantile (error under 1e-5 from 30 on).
    """
    if df < 1:
        raise ValueError("at least one degree of freedom")
    if df <= 30:
        return _T_975[int(df) - 1]
    z = _Z_975
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


@dataclass(frozen=True)
class Estimate:
    """A mean (or a difference of means) with its 95 % interval."""

    value: float
    #: Standard error; None when it cannot be estimated (fewer than two respondents).
    se: float | None
    #: Degrees of freedom of the interval.
    df: float | None

    @property
    def margin(self) -> float | None:
        if self.se is None or self.df is None:
            return None
        return t_quantile(self.df) * self.se

    @property
    def low(self) -> float | None:
        margin = self.margin
        return None if margin is None else self.value - margin

    @property
    def high(self) -> float | None:
        margin = self.margin
        return None if margin is None else self.value + margin

    @property
    def within_noise(self) -> bool:
        """Whether the interval holds 0 (or there is no interval): no change can be claimed."""
        low, high = self.low, self.high
        return low is None or high is None or low <= 0 <= high


def mean_estimate(total: float, squares: float, scores: int, respondents: int) -> Estimate | None:
    """The mean of ``scores`` scores (sum ``total``, sum of squares ``squares``) given by
    ``respondents`` respondents; None without scores."""
    if scores <= 0:
        return None
    mean = total / scores
    units = min(scores, respondents)
    if scores < 2 or units < 2:
        return Estimate(mean, None, None)
    variance = max(0.0, (squares - total * total / scores) / (scores - 1))
    return Estimate(mean, math.sqrt(variance / units), units - 1)


def difference(later: Estimate | None, earlier: Estimate | None) -> Estimate | None:
    """``later`` minus ``earlier``, two independent estimates; None if either is missing."""
    if later is None or earlier is None:
        return None
    value = later.value - earlier.value
    if later.se is None or earlier.se is None:
        return Estimate(value, None, None)
    df = min(later.df or 0, earlier.df or 0)
    return Estimate(value, math.hypot(later.se, earlier.se), df if df >= 1 else None)


def gap_estimate(need: Estimate | None, capacity: Estimate | None) -> Estimate | None:
    """need minus capacity, from the same respondents.

    The two means are not independent, and their correlation is not kept, so
    the standard error is the sum of the two (the largest it can be, whatever
    the correlation): a cautious interval.
    """
    if need is None or capacity is None:
        return None
    value = need.value - capacity.value
    if need.se is None or capacity.se is None:
        return Estimate(value, None, None)
    return Estimate(value, need.se + capacity.se, min(need.df or 0, capacity.df or 0) or None)
