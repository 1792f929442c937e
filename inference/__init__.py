"""What the graph's LLM steps share.

One call (`ask`), the prompt templates and how they are filled, the catalog excerpt, extraction of the
program from an answer, key functions, and the psi1 helpers (several candidate answers, linkable
components, the parameter step).
"""
