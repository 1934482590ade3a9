import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize('imports', ['evit_dense, mmdeploy',
                                     'mmdeploy, evit_dense'])
def test_rpn_rewrite_is_registered_whichever_is_imported_first(imports):
    check = (f'import sys, {imports}\n'
             'from mmdeploy.core import FUNCTION_REWRITER\n'
             'records = FUNCTION_REWRITER._registry._rewrite_records[\n'
             '    "mmdet.models.dense_heads.rpn_head.RPNHead.predict_by_feat"]\n'
             'print(sorted(r["_object"].__name__ for r in records))\n')
    result = subprocess.run([sys.executable, '-c', check], cwd=REPO_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'rpn_head__predict_by_feat__per_level_nms' in result.stdout
