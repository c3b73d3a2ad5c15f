"""Tests of the vote endpoint, against real server processes."""
