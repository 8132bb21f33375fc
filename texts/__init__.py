"""Words and dates a person reads, the same in any messenger and in the terminal."""
