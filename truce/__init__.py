"""truce: monitoring and verifying cease-fires.

The core library. It knows nothing of the command line or the web; those are thin edges over it.
"""

__version__ = "0.1.0"
