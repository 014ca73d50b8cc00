"""Sampling for 双随机一公开 inspections: plan, allocate, draw, assign, simulate, estimate, verify.

A pure library (numpy, scipy, pandas, pyyaml). Import the modules you need, e.g.
``from sampler.attribute import sample_size``; see sampler/README.md for the map of modules,
the plan-file format and the ``regdash`` commands built on it.
"""
