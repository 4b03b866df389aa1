"""aioctx.impl: QEMU's AioContext event loop, for real, on OS threads.

Everything shared between threads goes through ``aioctx.impl.sync``, which is what lets
aioctx.sim run this same code one step at a time.
"""
