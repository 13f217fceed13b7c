"""General analysis helpers used by the chapters (one module per topic).

Nothing here returns a graded exercise's answer: students have this package installed,
so a function that computes an answer key would be a leak in a graded class.
"""
