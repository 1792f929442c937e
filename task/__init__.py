"""What a task states, read from its words.

Input files, sizes, numbers, comparisons, scale factors, and the values a flow must take (claims, and the
bindings of values to parameters).
"""
