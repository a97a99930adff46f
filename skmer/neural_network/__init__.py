"""Keras neural networks wrapped as scikit-learn estimators."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause
