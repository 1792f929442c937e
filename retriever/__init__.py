"""retriever package of anysym."""
