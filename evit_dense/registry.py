"""Where evit_dense registers its modules.

They go into MMEngine's root ``MODELS`` registry: mmdet's and mmseg's
registries have it as parent and search it, so one registration serves both
toolboxes under their own default scopes.
"""
from mmengine.registry import MODELS

__all__ = ['MODELS']
