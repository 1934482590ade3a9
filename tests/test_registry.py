import subprocess
import sys
import textwrap

import pytest

import evit_dense  # noqa: F401  registers the models


@pytest.mark.parametrize('registry_module', ['mmdet.registry', 'mmseg.registry'])
def test_backbone_builds_from_mmdet_and_mmseg(registry_module):
    registry = __import__(registry_module, fromlist=['MODELS']).MODELS
    backbone = registry.build(dict(type='EfficientViT', arch='m4', out_indices=(1, 2)))
    assert backbone.out_channels == [256, 384]


def test_custom_imports_registers_without_importing_the_package(tmp_path):
    """What mmdet's and mmseg's own tools do with our configs."""
    config = tmp_path / 'cfg.py'
    config.write_text(textwrap.dedent("""
        custom_imports = dict(imports=['evit_dense'], allow_failed_imports=False)
        backbone = dict(type='EfficientViT', arch='m2')
    """))
    script = textwrap.dedent(f"""
        from mmengine.config import Config
        from mmseg.registry import MODELS
        cfg = Config.fromfile({str(config)!r})
        print(MODELS.build(cfg.backbone).out_channels)
    """)
    out = subprocess.run([sys.executable, '-c', script], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip().endswith('[128, 192, 224]')
