"""Dataset loaders, downloaders, pretrained files and the embedded synthetic clips."""

# Authors: The skmer developers
# SPDX-License-Identifier: BSD-3-Clause

from skmer.datasets._base import get_data_home
from skmer.datasets._crema_d import load_crema_d, parse_crema_d_filename
from skmer.datasets._detect import detect_dataset, load_dataset
from skmer.datasets._emodb import load_emodb, parse_emodb_filename
from skmer.datasets._fetch import fetch_crema_d
from skmer.datasets._folder import load_labeled_folder
from skmer.datasets._models import fetch_model_file
from skmer.datasets._ravdess import load_ravdess, parse_ravdess_filename
from skmer.datasets._synthetic import make_synthetic_clips

__all__ = [
    "detect_dataset",
    "fetch_crema_d",
    "fetch_model_file",
    "get_data_home",
    "load_crema_d",
    "load_dataset",
    "load_emodb",
    "load_labeled_folder",
    "load_ravdess",
    "make_synthetic_clips",
    "parse_crema_d_filename",
    "parse_emodb_filename",
    "parse_ravdess_filename",
]
