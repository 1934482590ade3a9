"""The toy B0 segmenter of MIT's EfficientViT trains with tools/train.py
(the loss falls within a few iterations) and tools/test.py scores its
checkpoint."""
import re

from tests.conftest import REPO_ROOT

from .conftest import run_tool

TOY_CONFIG = (REPO_ROOT / 'configs' / 'efficientvit_mit' / 'toy' /
              'fpn_evit_b0_toy_ade20k.py')
ITERS = 16


def test_toy_b0_segmenter_trains_and_tests(tmp_path):
    data_root = tmp_path / 'toy_ade20k'
    run_tool('tools/make_toy_ade20k.py', data_root, '--num-train', 4,
             '--num-val', 2)
    config = tmp_path / 'fast_toy_b0.py'
    config.write_text(f'''
_base_ = {str(TOY_CONFIG)!r}
data_root = {str(data_root)!r}
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(**loader, batch_size=2,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(**loader, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# The toy lr held constant: a schedule ending at {ITERS} would stall it.
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False,
                        begin=0, end={ITERS})]
train_cfg = dict(max_iters={ITERS}, val_interval={ITERS})
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval={ITERS}))
''')
    work_dir = tmp_path / 'work'
    out = run_tool('tools/train.py', config, '--work-dir', work_dir).stdout
    losses = [float(loss) for loss in
              re.findall(r'Iter\(train\).*? loss: (\d+\.\d+)', out)]
    assert len(losses) == ITERS
    # From scratch over ADE20K's 150 classes the first losses are ~5.
    assert sum(losses[-3:]) < 0.85 * sum(losses[:3]), losses

    checkpoint = work_dir / f'iter_{ITERS}.pth'
    assert checkpoint.is_file()
    out = run_tool('tools/test.py', config, checkpoint,
                   '--work-dir', tmp_path / 'test').stdout
    assert 0 <= float(re.findall(r'mIoU: (\d+\.\d+)', out)[-1]) <= 100
