"""reference_programs package of anysym."""
