import pytest
from mmengine.config import Config

from evit_dense.utils import check_checkpoint_path, check_dataset_paths


def coco_style(root):
    return dict(type='CocoDataset', data_root=str(root),
                ann_file='annotations/train.json',
                data_prefix=dict(img='train/'))


def make_coco_style(root):
    (root / 'annotations').mkdir(parents=True)
    (root / 'annotations' / 'train.json').write_text('{}')
    (root / 'train').mkdir()
    return root


def test_existing_paths_pass_and_missing_ones_are_named(tmp_path):
    root = make_coco_style(tmp_path / 'coco')
    cfg = Config(dict(train_dataloader=dict(dataset=coco_style(root)),
                      val_dataloader=None))
    check_dataset_paths(cfg, ['train_dataloader', 'val_dataloader'])

    (root / 'train').rmdir()
    with pytest.raises(FileNotFoundError,
                       match=f'train_dataloader.dataset: data_prefix.img '
                       f'"{root}/train/" does not exist'):
        check_dataset_paths(cfg, ['train_dataloader'])


def test_wrapped_datasets_and_evaluators_are_checked(tmp_path):
    root = make_coco_style(tmp_path / 'coco')
    missing = tmp_path / 'elsewhere'
    cfg = Config(dict(
        test_dataloader=dict(dataset=dict(
            type='ConcatDataset',
            datasets=[coco_style(root),
                      dict(type='RepeatDataset', times=2,
                           dataset=coco_style(missing))]))))
    with pytest.raises(FileNotFoundError, match=str(missing)):
        check_dataset_paths(cfg, ['test_dataloader'])

    cfg = Config(dict(
        test_dataloader=dict(dataset=coco_style(root)),
        test_evaluator=dict(type='CocoMetric', ann_file=str(missing))))
    with pytest.raises(FileNotFoundError,
                       match=f'test_evaluator: ann_file "{missing}"'):
        check_dataset_paths(cfg, ['test_dataloader'])


def test_mmseg_layout_and_remote_paths(tmp_path):
    (tmp_path / 'images' / 'training').mkdir(parents=True)
    dataset = dict(data_root=str(tmp_path), ann_file='',
                   data_prefix=dict(img_path='images/training',
                                    seg_map_path='annotations/training'))
    cfg = Config(dict(train_dataloader=dict(dataset=dataset)))
    with pytest.raises(FileNotFoundError, match='data_prefix.seg_map_path'):
        check_dataset_paths(cfg, ['train_dataloader'])

    dataset['data_root'] = 's3://bucket/ade/'
    check_dataset_paths(Config(dict(train_dataloader=dict(dataset=dataset))),
                        ['train_dataloader'])


def test_checkpoint_path(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=f'--resume file "{tmp_path}/x.pth" does not'):
        check_checkpoint_path(str(tmp_path / 'x.pth'), '--resume')
    (tmp_path / 'x.pth').write_bytes(b'')
    check_checkpoint_path(str(tmp_path / 'x.pth'))
    check_checkpoint_path('https://example.com/x.pth')
