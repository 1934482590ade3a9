"""EfficientViT for dense prediction in OpenMMLab 3.x (mmdet, mmseg)."""
from . import engine  # noqa: F401  fixes MMEngine for this torch
from . import datasets  # noqa: F401  registers the data transforms
from .models import *  # noqa: F401,F403  registers the models

__version__ = '0.1.0'
