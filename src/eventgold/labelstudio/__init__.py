"""Everything that talks to Label Studio: the managed server, push, pull, conversion.

This package is the only code that imports ``label_studio_sdk``.
"""
