"""llm package of anysym."""
