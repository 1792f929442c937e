"""syntax package of anysym."""
