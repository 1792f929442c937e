"""bench package of anysym."""
