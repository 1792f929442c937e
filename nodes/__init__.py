"""nodes package of anysym."""
