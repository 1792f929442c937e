"""graph package of anysym."""
