"""mmdet's RPN post-processing in mmdeploy's ONNX Runtime export (written
for mmdeploy 1.3.1, mmdet 3.3.0).

mmdeploy 1.3 exports ``RPNHead.predict_by_feat`` as one NMS over the
proposals of all levels, drops proposals scoring under 0.05 and keeps
zero-size boxes. mmdet runs NMS per level, keeps every score and drops
boxes no larger than ``min_bbox_size``. Mask R-CNN's mAP then differs
between PyTorch and ONNX Runtime (by 0.05 bbox mAP on a toy model). This
rewrite, registered for the ONNX Runtime backend (where it takes precedence
over mmdeploy's default one), does what mmdet does with exportable ops: a
level is NMS's class, and a box mmdet drops gets score 0, under the NMS's
score threshold.

An extension point: mmdeploy's ``FUNCTION_REWRITER``. The rewrite is
registered once mmdeploy is imported, before or after this package, so that
it also holds under mmdeploy's own ``tools/deploy.py``; mmdeploy is imported
only then, so that this package imports without it.
"""
import importlib.abc
import importlib.util
import sys

import torch

from .fix import Fix

REWRITTEN = 'mmdet.models.dense_heads.rpn_head.RPNHead.predict_by_feat'

# Under no sigmoid score of a real proposal (in float32), above the 0 that
# padded and dropped boxes get.
MIN_PROPOSAL_SCORE = 1e-30


def _level_proposals(head, cls_score, bbox_pred, anchors, nms_pre):
    """The ``nms_pre`` best (deltas, scores, anchors) of one level, padded
    with score 0 where the level has fewer: mmdeploy's own steps."""
    from mmdeploy.codebase.mmdet.deploy import (gather_topk,
                                                pad_with_value_if_necessary)
    batch_size = cls_score.shape[0]
    cls_score = cls_score.permute(0, 2, 3, 1)
    if head.use_sigmoid_cls:
        scores = cls_score.reshape(batch_size, -1).sigmoid()
    else:
        scores = cls_score.reshape(batch_size, -1, 2).softmax(-1)[..., 0]
    scores = scores.reshape(batch_size, -1, 1)
    deltas = bbox_pred.permute(0, 2, 3, 1).reshape(
        batch_size, -1, head.bbox_coder.encode_size)
    anchors = anchors.unsqueeze(0)
    scores = pad_with_value_if_necessary(scores, 1, nms_pre, 0.)
    deltas = pad_with_value_if_necessary(deltas, 1, nms_pre)
    anchors = pad_with_value_if_necessary(anchors, 1, nms_pre)
    if nms_pre > 0:
        _, topk_inds = scores.squeeze(2).topk(nms_pre)
        deltas, scores = gather_topk(deltas, scores, inds=topk_inds,
                                     batch_size=batch_size, is_batched=True)
        anchors = gather_topk(anchors, inds=topk_inds, batch_size=batch_size,
                              is_batched=False)
    return deltas, scores, anchors


def rpn_head__predict_by_feat__per_level_nms(self, cls_scores, bbox_preds,
                                            score_factors=None,
                                            batch_img_metas=None, cfg=None,
                                            rescale=False, with_nms=True,
                                            **kwargs):
    """Proposals ``(dets, labels)`` as mmdet's ``RPNHead`` makes them."""
    from mmdeploy.mmcv.ops import multiclass_nms
    cfg = self.test_cfg if cfg is None else cfg
    mlvl_anchors = self.anchor_generator.grid_anchors(
        [score.shape[-2:] for score in cls_scores],
        device=cls_scores[0].device)
    levels = [_level_proposals(self, *level, cfg.get('nms_pre', -1))
              for level in zip(cls_scores, bbox_preds, mlvl_anchors)]
    deltas, scores, anchors = (torch.cat(parts, dim=1)
                               for parts in zip(*levels))
    boxes = self.bbox_coder.decode(
        anchors, deltas, max_shape=batch_img_metas[0]['img_shape'])
    if not with_nms:
        return boxes, scores
    if cfg.get('min_bbox_size', -1) >= 0:
        width = boxes[..., 2] - boxes[..., 0]
        height = boxes[..., 3] - boxes[..., 1]
        large_enough = (width > cfg.min_bbox_size) & (
            height > cfg.min_bbox_size)
        scores = scores * large_enough.unsqueeze(-1)
    # One NMS class per level: its scores, and 0 for the others' boxes.
    level_of_box = torch.cat([
        torch.full((score.shape[1],), level, device=score.device)
        for level, (_, score, _) in enumerate(levels)])
    level_scores = scores * torch.nn.functional.one_hot(
        level_of_box, len(levels)).to(scores.dtype)
    dets, labels = multiclass_nms(
        boxes, level_scores, cfg.max_per_img,
        iou_threshold=cfg.nms.iou_threshold,
        score_threshold=MIN_PROPOSAL_SCORE, keep_top_k=cfg.max_per_img)
    return dets, torch.zeros_like(labels)


def _register_rewrite():
    from mmdeploy.core import FUNCTION_REWRITER
    FUNCTION_REWRITER.register_rewriter(REWRITTEN, backend='onnxruntime')(
        rpn_head__predict_by_feat__per_level_nms)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Runs ``callback`` right after the module ``name`` is first imported."""

    def __init__(self, name, callback):
        self.name, self.callback = name, callback

    def find_spec(self, name, path=None, target=None):
        if name != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_then_callback(module):
            exec_module(module)
            self.callback()

        spec.loader.exec_module = exec_then_callback
        return spec


def register_rewrite_with_mmdeploy():
    """Register the rewrite with mmdeploy: now if it is imported, else right
    after it is."""
    if 'mmdeploy' in sys.modules:
        _register_rewrite()
    elif importlib.util.find_spec('mmdeploy') is not None and not any(
            isinstance(finder, _AfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport('mmdeploy', _register_rewrite))


FIX = Fix(
    name='mmdeploy_rpn',
    apply=register_rewrite_with_mmdeploy,
    written_for={'mmdeploy': ('1.3', '1.3'), 'mmdet': ('3.3', '3.3')},
    registers=(f"mmdeploy.core.FUNCTION_REWRITER '{REWRITTEN}' "
               f"(onnxruntime)",))
