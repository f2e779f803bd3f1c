"""Reading results: statistics, sensitivity, robustness, claims, validation and calibration.

This layer reads results (``experiments``) and the model's declarations (parameters, missions,
the reform registry); it never imports the model's internals.
"""
