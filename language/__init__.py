"""language package of anysym."""
