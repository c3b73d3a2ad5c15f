"""The runtime pipeline: Pyodide and the wheels fetched, checked, precompiled and cut to what the engine needs."""
