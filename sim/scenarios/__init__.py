"""The race catalogue as runnable impl scenarios, one module per bug slug."""
