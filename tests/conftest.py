"""Tests of the cookbook: the harness, the pages, and the example projects."""
