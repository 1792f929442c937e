"""The graph's nodes, one per module.

retrieve, infer_components (psi1), infer_topology (psi2), infer_flow, compile, review, execute, verify,
search, refine, finalize. What they share lives in `anysym.inference`, `anysym.task` and `anysym.repair`.
"""
