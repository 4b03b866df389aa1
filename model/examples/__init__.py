"""Models written with the Python modelling API, shipped as examples."""
