import numpy as np
import pytest
from mmseg.datasets import ADE20KDataset
from PIL import Image

from evit_dense.datasets import TOY_ADE20K_CLASSES, make_toy_ade20k


def test_layout_labels_and_determinism(tmp_path):
    root = make_toy_ade20k(tmp_path / 'a', num_train=3, num_val=2,
                           size=(96, 64), seed=1)
    images = sorted((root / 'images' / 'validation').iterdir())
    labels = sorted((root / 'annotations' / 'validation').iterdir())
    assert [p.name for p in images] == ['ADE_val_00000001.jpg',
                                        'ADE_val_00000002.jpg']
    assert [p.stem for p in labels] == [p.stem for p in images]
    assert len(list((root / 'images' / 'training').iterdir())) == 3

    label = np.asarray(Image.open(labels[0]))
    assert label.shape == (64, 96) and label.dtype == np.uint8
    assert set(np.unique(label)) <= {0, *TOY_ADE20K_CLASSES}
    assert Image.open(images[0]).size == (96, 64)

    again = make_toy_ade20k(tmp_path / 'b', num_train=3, num_val=2,
                            size=(96, 64), seed=1)
    assert np.array_equal(
        label, np.asarray(Image.open(
            again / 'annotations' / 'validation' / labels[0].name)))


def test_mmseg_reads_it_with_reduce_zero_label(tmp_path):
    root = make_toy_ade20k(tmp_path, num_train=2, num_val=1, size=(64, 48))
    dataset = ADE20KDataset(
        data_root=str(root),
        data_prefix=dict(img_path='images/training',
                         seg_map_path='annotations/training'),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='mmseg.LoadAnnotations', reduce_zero_label=True)])
    assert len(dataset) == 2
    classes = ADE20KDataset.METAINFO['classes']
    seen = set()
    for index in range(len(dataset)):
        seen |= set(np.unique(dataset[index]['gt_seg_map']).tolist())
    # 0 ("other") becomes the ignore index, label L becomes class L - 1.
    assert 255 in seen
    drawn = seen - {255}
    assert drawn and drawn <= {label - 1 for label in TOY_ADE20K_CLASSES}
    for label, (name, _) in TOY_ADE20K_CLASSES.items():
        assert classes[label - 1] == name


@pytest.mark.parametrize('kwargs', [dict(num_train=0), dict(size=(16, 64))])
def test_bad_arguments_are_named(tmp_path, kwargs):
    with pytest.raises(ValueError, match='num_train|sides'):
        make_toy_ade20k(tmp_path, **kwargs)
