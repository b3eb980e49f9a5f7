"""The queue rules: plain Python, standard library only."""
