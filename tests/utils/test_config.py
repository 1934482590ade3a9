import pytest
from mmengine.registry import DefaultScope

from evit_dense.utils import load_measured_model_config, load_tool_config
from tests.conftest import REPO_ROOT


def test_tool_config_defaults_and_scope(tmp_path):
    config = REPO_ROOT / 'configs' / 'toy' / 'retinanet_evit_m0_toy_coco.py'
    cfg = load_tool_config(str(config), {'train_cfg.max_epochs': 1})
    assert cfg.work_dir == 'work_dirs/retinanet_evit_m0_toy_coco'
    assert cfg.train_cfg.max_epochs == 1 and cfg.launcher == 'none'

    plain = tmp_path / 'plain.py'
    plain.write_text('model = dict(type="Foo")\n')
    with pytest.raises(ValueError, match="default_scope must be one of"):
        load_tool_config(str(plain))
    with pytest.raises(FileNotFoundError, match='config file'):
        load_tool_config(str(tmp_path / 'none.py'))


def test_measured_model_config_from_a_package_without_weights():
    cfg = load_measured_model_config(
        'mmdet::retinanet/retinanet_r18_fpn_1x_coco.py',
        {'model.bbox_head.num_classes': 3})
    assert cfg.default_scope == 'mmdet'
    assert DefaultScope.get_current_instance().scope_name == 'mmdet'
    assert cfg.model.backbone.init_cfg is None  # was torchvision://resnet18
    assert cfg.model.bbox_head.num_classes == 3
