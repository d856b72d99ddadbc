"""Layer `outputs`: what leaves the app for people and other programs.

PDF reports, spreadsheets (one safe writer), interactive (plotly) and static (matplotlib) charts,
and the files the command line writes. Nothing is computed here that a screen shows differently:
every figure comes from the layer that owns it.

May import: `process`, `engine`, `data` and the core modules. Never ui or streamlit.
"""
