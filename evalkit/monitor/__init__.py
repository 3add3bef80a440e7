"""In-year monitoring: statistical process control of monthly series and early warnings
(issue 14, item 2).

* :mod:`~evalkit.monitor.spc` — XmR charts (counts, amounts) and p-charts / funnel limits
  (rates with varying denominators);
* :mod:`~evalkit.monitor.rules` — special-cause rules in the worse direction ("Making Data
  Count") and the budget-schedule trajectory (序时进度);
* :mod:`~evalkit.monitor.series` — :func:`monitor_warnings`, every chart and rule over a long
  frame of unit × indicator × month series, one warning a pattern.
"""

from .rules import RULE_NAMES, RULES, RuleSet, Trajectory, episodes, run_parts, special_cause_masks, trajectory_lag_mask
from .series import (CHARTS, POINT_COLUMNS, WARNING_COLUMNS, ChartSpec, MonitorInputError, MonitorResult,
                     MonitorSpec, monitor_warnings)
from .spc import (D2, D4, P_SIGMAS, TAIL_2SIGMA, TAIL_3SIGMA, XMR_FACTOR, baseline_mask, laney_sigma_z, p_chart,
                  p_limits, p_probability_limits, p_sigma, xmr_chart, xmr_limits)

__all__ = [
    "CHARTS", "D2", "D4", "P_SIGMAS", "POINT_COLUMNS", "RULE_NAMES", "RULES", "TAIL_2SIGMA", "TAIL_3SIGMA", "WARNING_COLUMNS",
    "XMR_FACTOR",
    "ChartSpec", "MonitorInputError", "MonitorResult", "MonitorSpec", "RuleSet", "Trajectory",
    "baseline_mask", "episodes", "laney_sigma_z", "monitor_warnings", "p_chart", "p_limits", "p_probability_limits",
    "p_sigma", "run_parts",
    "special_cause_masks", "trajectory_lag_mask", "xmr_chart", "xmr_limits",
]
