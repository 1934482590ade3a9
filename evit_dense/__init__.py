"""EfficientViT for dense prediction in OpenMMLab 3.x (mmdet, mmseg)."""
from . import runtime  # noqa: F401  applies the runtime fixes
from . import datasets  # noqa: F401  registers the data transforms
from .models import *  # noqa: F401,F403  registers the models

__version__ = '0.1.0'
