"""Ensembles of probabilistic classifiers with a class-balanced decision rule."""

# Authors: The ltlearn developers
# SPDX-License-Identifier: BSD-3-Clause

from ltlearn.ensemble._plugin_ensemble import PluginEnsembleClassifier

__all__ = ["PluginEnsembleClassifier"]
