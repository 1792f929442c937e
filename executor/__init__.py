"""executor package of anysym."""
